package types

import errorsmod "cosmossdk.io/errors"

var (
	ErrInvalidParams  = errorsmod.Register(ModuleName, 2, "invalid parameters")
	ErrInvalidGenesis = errorsmod.Register(ModuleName, 3, "invalid genesis")
	ErrNotSettled     = errorsmod.Register(ModuleName, 4, "epoch not settled")
	ErrInvariant      = errorsmod.Register(ModuleName, 5, "rewards invariant broken")
)
