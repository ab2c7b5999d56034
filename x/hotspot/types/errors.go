package types

import (
	"google.golang.org/grpc/codes"

	errorsmod "cosmossdk.io/errors"
)

// Registered once; codes are part of the API (see docs/api/hotspot.md).
var (
	ErrHotspotNotFound  = errorsmod.RegisterWithGRPCCode(ModuleName, 2, codes.NotFound, "unknown hotspot")
	ErrNotOwner         = errorsmod.Register(ModuleName, 3, "signer is not the hotspot owner")
	ErrBadSignature     = errorsmod.Register(ModuleName, 4, "bad hotspot signature")
	ErrWrongResolution  = errorsmod.Register(ModuleName, 5, "wrong H3 resolution")
	ErrGainOutOfBounds  = errorsmod.Register(ModuleName, 6, "antenna gain out of bounds")
	ErrUnknownRegion    = errorsmod.Register(ModuleName, 7, "unknown region")
	ErrDuplicateHotspot = errorsmod.Register(ModuleName, 8, "hotspot key already registered")
	ErrMalformedKey     = errorsmod.Register(ModuleName, 9, "malformed hotspot key")
	ErrMalformedCell    = errorsmod.Register(ModuleName, 10, "malformed H3 cell")
	ErrInvalidMode      = errorsmod.Register(ModuleName, 11, "invalid hotspot mode")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 12, "invalid parameters")
	ErrAmbiguousName    = errorsmod.Register(ModuleName, 13, "hotspot name is ambiguous; use the address")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 14, "invalid genesis")
	// ErrBlockedOwner: the bank refuses to send to the address (a module
	// account), so it could never be paid the hotspot's rewards.
	ErrBlockedOwner = errorsmod.Register(ModuleName, 15, "owner cannot receive funds (blocked address)")
	// ErrElevationOutOfBounds: since the v2 upgrade (max_elevation).
	ErrElevationOutOfBounds = errorsmod.Register(ModuleName, 16, "antenna elevation out of bounds")
	// ErrPageTooLarge: a list query asked for more than MaxPageLimit
	// entries in one page.
	ErrPageTooLarge = errorsmod.Register(ModuleName, 17, "page too large")
)
