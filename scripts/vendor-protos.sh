#!/usr/bin/env bash
# Copies the third-party .proto files our protos import from the Go module
# cache into third_party/proto. Versions follow go.mod, so the vendored files
# always match the Go code they are compiled against. The result is committed;
# run this only after bumping the SDK, gogoproto, cosmos-proto or grpc-gateway.
set -euo pipefail
cd "$(dirname "$0")/.."

modpath() { go list -m -f '{{.Dir}}' "$1"; }
go mod download github.com/cosmos/cosmos-sdk github.com/cosmos/gogoproto \
  github.com/cosmos/cosmos-proto github.com/grpc-ecosystem/grpc-gateway

SDK=$(modpath github.com/cosmos/cosmos-sdk)
GOGO=$(modpath github.com/cosmos/gogoproto)
CPROTO=$(modpath github.com/cosmos/cosmos-proto)
GW=$(modpath github.com/grpc-ecosystem/grpc-gateway)

OUT=third_party/proto
rm -rf "$OUT"
copy() { mkdir -p "$OUT/$(dirname "$2")"; install -m 0444 "$1/$2" "$OUT/$2"; }
copy_as() { mkdir -p "$OUT/$(dirname "$3")"; install -m 0444 "$1/$2" "$OUT/$3"; }

copy_as "$GOGO" gogoproto/gogo.proto gogoproto/gogo.proto
copy_as "$CPROTO" proto/cosmos_proto/cosmos.proto cosmos_proto/cosmos.proto
copy_as "$GW" third_party/googleapis/google/api/annotations.proto google/api/annotations.proto
copy_as "$GW" third_party/googleapis/google/api/http.proto google/api/http.proto
for f in amino/amino.proto cosmos/msg/v1/msg.proto cosmos/base/v1beta1/coin.proto \
         cosmos/base/query/v1beta1/pagination.proto cosmos/query/v1/query.proto; do
  copy "$SDK/proto" "$f"
done
echo "vendored into $OUT:"; (cd "$OUT" && find . -name '*.proto' | sort)
