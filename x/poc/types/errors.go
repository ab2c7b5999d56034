package types

import errorsmod "cosmossdk.io/errors"

var (
	ErrDuplicateBeacon  = errorsmod.Register(ModuleName, 2, "beacon already recorded")
	ErrTooManyWitnesses = errorsmod.Register(ModuleName, 3, "too many witness reports")
	ErrMalformedReport  = errorsmod.Register(ModuleName, 4, "malformed report")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 5, "invalid parameters")
	ErrPocNotFound      = errorsmod.Register(ModuleName, 6, "unknown beacon")
	ErrInvalidDenylist  = errorsmod.Register(ModuleName, 7, "invalid denylist entry")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 8, "invalid genesis")
)
