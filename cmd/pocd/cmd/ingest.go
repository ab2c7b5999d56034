package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sync/errgroup"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/server"

	"github.com/pocnet/pocd/app/params"
	"github.com/pocnet/pocd/chainclient"
	"github.com/pocnet/pocd/ingest"
)

// startIngest runs PoC ingest beside the node (a StartCmdOptions.PostSetup
// hook): it talks to the node through the node's own gRPC server, the same
// API any client uses, and stops when the node stops.
func startIngest(svrCtx *server.Context, clientCtx client.Context, ctx context.Context, g *errgroup.Group) error {
	cfg := ingest.ConfigFromAppOptions(svrCtx.Viper)
	logger := svrCtx.Logger.With("module", "ingest")
	if !cfg.Enable {
		logger.Info("PoC ingest disabled ([ingest] enable = false)")
		return nil
	}
	if clientCtx.GRPCClient == nil {
		return errors.New("PoC ingest needs the gRPC server: set [grpc] enable = true or [ingest] enable = false")
	}
	if err := cfg.Validate(); err != nil {
		// Logged here too: the SDK's shutdown after a failed start hook
		// can panic before the returned error is printed.
		logger.Error("PoC ingest cannot start", "err", err)
		return err
	}
	home := svrCtx.Config.RootDir
	chainID, err := genesisChainID(svrCtx.Config.GenesisFile())
	if err != nil {
		return err
	}
	enc := params.MakeClientEncoding()
	var signer *chainclient.Signer
	if cfg.RelayerKey != "" {
		kr, err := keyring.New(params.AppName, cfg.KeyringBackend, home, nil, enc.Codec)
		if err != nil {
			return fmt.Errorf("ingest keyring: %w", err)
		}
		signer, err = chainclient.NewSigner(clientCtx.GRPCClient, enc, kr, cfg.RelayerKey, chainID,
			chainclient.Pricing{GasPrices: cfg.GasPrices, Fees: cfg.Fees})
		if err != nil {
			logger.Error("relaying disabled: relayer key not found; reports are still gossiped and queued",
				"key", cfg.RelayerKey, "keyring-backend", cfg.KeyringBackend, "err", err)
			signer = nil
		}
	}
	svc, err := ingest.Start(ctx, cfg, home, chainID, ingest.NewGRPCChain(clientCtx.GRPCClient, signer), ingest.DefaultMetrics(), logger)
	if err != nil {
		logger.Error("PoC ingest cannot start", "err", err)
		return err
	}
	g.Go(func() error {
		<-ctx.Done()
		return svc.Close()
	})
	return nil
}

func genesisChainID(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var doc struct {
		ChainID string `json:"chain_id"`
	}
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		return "", fmt.Errorf("genesis %s: %w", path, err)
	}
	return doc.ChainID, nil
}
