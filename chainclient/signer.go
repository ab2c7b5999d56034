// Package chainclient is pocd's gRPC client for processes that sign and
// broadcast their own transactions: the ingest relayer inside pocd and
// hotspotd. It keeps the account sequence locally, so several transactions
// can go out in one block, and resynchronises when the chain disagrees.
package chainclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/pocnet/pocd/app/params"
)

// Pricing is what a transaction pays. With Fees empty, it pays GasPrices
// times its gas limit, rounded up (the chain's minimum-gas-prices check):
// a larger batch pays more. Fees is a fixed fee per transaction instead.
// Both empty pays nothing, which nodes with a minimum gas price refuse.
type Pricing struct {
	GasPrices string // dec coins per unit of gas, e.g. "0.0025bones"
	Fees      string // coins per transaction, e.g. "5000bones"
}

// DefaultPricing pays the minimum gas price `pocd init` configures.
func DefaultPricing() Pricing { return Pricing{GasPrices: params.DefaultMinGasPrices} }

// validate parses both strings; Fees wins when both are set.
func (p Pricing) validate() (Pricing, error) {
	if p.Fees != "" {
		if _, err := sdk.ParseCoinsNormalized(p.Fees); err != nil {
			return p, fmt.Errorf("fees %q: %w", p.Fees, err)
		}
		return Pricing{Fees: p.Fees}, nil
	}
	if _, err := sdk.ParseDecCoins(p.GasPrices); err != nil {
		return p, fmt.Errorf("gas prices %q: %w", p.GasPrices, err)
	}
	return p, nil
}

// Signer signs with one keyring key and broadcasts over gRPC.
type Signer struct {
	conn    *grpc.ClientConn
	enc     params.ClientEncoding
	kr      keyring.Keyring
	keyName string
	addr    sdk.AccAddress
	chainID string
	pricing Pricing

	mu         sync.Mutex
	haveAcct   bool
	accountNum uint64
	sequence   uint64
}

// NewSigner loads keyName from kr; its transactions pay as pricing says.
func NewSigner(conn *grpc.ClientConn, enc params.ClientEncoding, kr keyring.Keyring, keyName, chainID string, pricing Pricing) (*Signer, error) {
	pricing, err := pricing.validate()
	if err != nil {
		return nil, err
	}
	rec, err := kr.Key(keyName)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", keyName, err)
	}
	addr, err := rec.GetAddress()
	if err != nil {
		return nil, err
	}
	kr = signingKeyring(kr, keyName, rec)
	return &Signer{conn: conn, enc: enc, kr: kr, keyName: keyName, addr: addr, chainID: chainID, pricing: pricing}, nil
}

// signingKeyring is kr with rec's private key kept in memory, for a key
// stored in kr itself; other keys (a Ledger's, an offline one) are left to
// kr. The file and test backends decrypt their key file on every read, and
// signing reads the key twice: about 4 ms a transaction, 3 % of a node's CPU
// at 2,000 witness reports a second, where the relayer signs a few
// transactions every block (docs/benchmarks.md, "The CPU targets on this
// machine"). NewSigner has decrypted the key once already; it is kept, as
// the node keeps its validator key. A key deleted from kr while the signer
// runs is still used until the process restarts.
func signingKeyring(kr keyring.Keyring, name string, rec *keyring.Record) keyring.Keyring {
	local := rec.GetLocal()
	if local == nil || local.PrivKey == nil {
		return kr
	}
	priv, ok := local.PrivKey.GetCachedValue().(cryptotypes.PrivKey)
	if !ok {
		return kr
	}
	return keptKey{Keyring: kr, name: name, rec: rec, priv: priv}
}

// keptKey answers Key and Sign for one local key from memory, as the
// keystore answers for a local key, whatever its algorithm; every other
// call and key goes to the keyring.
type keptKey struct {
	keyring.Keyring
	name string
	rec  *keyring.Record
	priv cryptotypes.PrivKey
}

func (k keptKey) Key(uid string) (*keyring.Record, error) {
	if uid != k.name {
		return k.Keyring.Key(uid)
	}
	return k.rec, nil
}

func (k keptKey) Sign(uid string, msg []byte, mode signing.SignMode) ([]byte, cryptotypes.PubKey, error) {
	if uid != k.name {
		return k.Keyring.Sign(uid, msg, mode)
	}
	sig, err := k.priv.Sign(msg)
	if err != nil {
		return nil, nil, err
	}
	return sig, k.priv.PubKey(), nil
}

// Address is the signer's account address.
func (s *Signer) Address() string { return s.addr.String() }

// Result is what the node's CheckTx said about a broadcast transaction.
type Result struct {
	TxHash    string
	Code      uint32
	Codespace string
	Log       string
}

// OK reports whether CheckTx accepted the transaction.
func (r Result) OK() bool { return r.Code == 0 }

// Broadcast signs msgs with the given gas limit and broadcasts them in sync
// mode (CheckTx only). A sequence mismatch refreshes the account and retries
// once; any other CheckTx refusal is returned in Result for the caller to
// judge.
func (s *Signer) Broadcast(ctx context.Context, gas uint64, msgs ...sdk.Msg) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if !s.haveAcct {
			if err := s.refreshAccount(ctx); err != nil {
				return Result{}, err
			}
		}
		res, err := s.broadcastOnce(ctx, gas, msgs)
		if err != nil {
			s.haveAcct = false
			return Result{}, err
		}
		if res.Codespace == sdkerrors.RootCodespace && res.Code == sdkerrors.ErrWrongSequence.ABCICode() && attempt == 0 {
			s.haveAcct = false
			continue
		}
		if res.OK() {
			s.sequence++
		}
		return res, nil
	}
}

func (s *Signer) refreshAccount(ctx context.Context) error {
	res, err := authtypes.NewQueryClient(s.conn).AccountInfo(ctx, &authtypes.QueryAccountInfoRequest{Address: s.addr.String()})
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return fmt.Errorf("account %s does not exist on chain yet (fund it first): %w", s.addr, err)
		}
		return fmt.Errorf("account %s: %w", s.addr, err)
	}
	s.accountNum, s.sequence, s.haveAcct = res.Info.AccountNumber, res.Info.Sequence, true
	return nil
}

// factory is the tx factory for the current account state; the caller
// holds s.mu.
func (s *Signer) factory(gas uint64) tx.Factory {
	return tx.Factory{}.
		WithTxConfig(s.enc.TxConfig).
		WithKeybase(s.kr).
		WithChainID(s.chainID).
		WithAccountNumber(s.accountNum).
		WithSequence(s.sequence).
		WithGas(gas).
		WithFees(s.pricing.Fees).
		WithGasPrices(s.pricing.GasPrices).
		WithSignMode(signing.SignMode_SIGN_MODE_DIRECT)
}

// EstimateGas simulates msgs on the node and returns the gas they used
// times adjustment (for a transaction whose cost is not known in advance,
// such as onboarding: a generous fixed limit would pay for gas never used).
func (s *Signer) EstimateGas(ctx context.Context, adjustment float64, msgs ...sdk.Msg) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.haveAcct {
		if err := s.refreshAccount(ctx); err != nil {
			return 0, err
		}
	}
	bz, err := s.factory(0).WithFromName(s.keyName).WithSimulateAndExecute(true).BuildSimTx(msgs...)
	if err != nil {
		return 0, err
	}
	res, err := txtypes.NewServiceClient(s.conn).Simulate(ctx, &txtypes.SimulateRequest{TxBytes: bz})
	if err != nil {
		return 0, fmt.Errorf("simulating: %w", err)
	}
	return uint64(adjustment * float64(res.GasInfo.GasUsed)), nil
}

// signTx builds and signs msgs for the current account state; the caller
// holds s.mu.
func (s *Signer) signTx(ctx context.Context, gas uint64, msgs []sdk.Msg) ([]byte, error) {
	txf := s.factory(gas)
	b, err := txf.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, err
	}
	if err := tx.Sign(ctx, txf, s.keyName, b, true); err != nil {
		return nil, err
	}
	return s.enc.TxConfig.TxEncoder()(b.GetTx())
}

func (s *Signer) broadcastOnce(ctx context.Context, gas uint64, msgs []sdk.Msg) (Result, error) {
	bz, err := s.signTx(ctx, gas, msgs)
	if err != nil {
		return Result{}, err
	}
	res, err := txtypes.NewServiceClient(s.conn).BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: bz, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
	if err != nil {
		return Result{}, err
	}
	r := res.TxResponse
	return Result{TxHash: r.TxHash, Code: r.Code, Codespace: r.Codespace, Log: r.RawLog}, nil
}

// ErrTxFailed is returned by WaitTx when the transaction was included but
// failed.
var ErrTxFailed = errors.New("transaction failed")

// WaitTx polls until the transaction is in a block or ctx ends.
func WaitTx(ctx context.Context, conn *grpc.ClientConn, hash string) (*sdk.TxResponse, error) {
	c := txtypes.NewServiceClient(conn)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		res, err := c.GetTx(ctx, &txtypes.GetTxRequest{Hash: hash})
		if err == nil {
			if res.TxResponse.Code != 0 {
				return res.TxResponse, fmt.Errorf("%w: %s code %d: %s", ErrTxFailed, res.TxResponse.Codespace, res.TxResponse.Code, res.TxResponse.RawLog)
			}
			return res.TxResponse, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for tx %s: %w (last: %v)", hash, ctx.Err(), err)
		case <-t.C:
		}
	}
}
