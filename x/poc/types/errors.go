package types

import (
	"google.golang.org/grpc/codes"

	errorsmod "cosmossdk.io/errors"
)

var (
	ErrDuplicateBeacon  = errorsmod.Register(ModuleName, 2, "beacon already recorded")
	ErrTooManyWitnesses = errorsmod.Register(ModuleName, 3, "too many witness reports")
	ErrMalformedReport  = errorsmod.Register(ModuleName, 4, "malformed report")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 5, "invalid parameters")
	ErrPocNotFound      = errorsmod.RegisterWithGRPCCode(ModuleName, 6, codes.NotFound, "unknown beacon")
	ErrInvalidDenylist  = errorsmod.Register(ModuleName, 7, "invalid denylist entry")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 8, "invalid genesis")
)
