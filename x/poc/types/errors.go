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
	// ErrUnauthorizedRelayer: the signer is not the registered relay
	// account of a bonded validator.
	ErrUnauthorizedRelayer = errorsmod.RegisterWithGRPCCode(ModuleName, 9, codes.PermissionDenied, "not a registered relayer of a bonded validator")
	// ErrBadBeaconSignature: a beacon that its hotspot did not sign is
	// refused outright; it uses up no beacon ID and no interval bucket.
	ErrBadBeaconSignature = errorsmod.Register(ModuleName, 10, "beacon signature does not verify")
	// ErrRelayTooEarly: the beacon's witness window cannot have closed yet.
	ErrRelayTooEarly = errorsmod.Register(ModuleName, 11, "witness window still open")
	// ErrInvalidRelayer: a relayer registration the chain cannot accept.
	ErrInvalidRelayer = errorsmod.Register(ModuleName, 12, "invalid relayer registration")
	// ErrStaleRelay: the beacon is older than twice the entropy lifespan.
	ErrStaleRelay = errorsmod.Register(ModuleName, 13, "beacon too old to relay")
	// ErrInvalidIngestPeer: an ingest peer ID that is not a canonical libp2p
	// peer ID, or that another validator has registered.
	ErrInvalidIngestPeer = errorsmod.Register(ModuleName, 14, "invalid ingest peer")
)
