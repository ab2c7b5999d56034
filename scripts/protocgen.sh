#!/usr/bin/env bash
# Regenerates all Go code and the OpenAPI document from proto/ with protoc and
# plugins pinned in the Makefile (make proto-tools). Works offline: imports
# resolve against third_party/proto (vendored) and protoc's own well-known types.
set -euo pipefail
cd "$(dirname "$0")/.."

GOBIN=${GOBIN:-$(go env GOPATH)/bin}
export PATH="$GOBIN:$PATH"
WKT=${PROTOC_INCLUDE:-/usr/include}

for p in protoc protoc-gen-gocosmos protoc-gen-grpc-gateway protoc-gen-openapiv2; do
  command -v "$p" >/dev/null || { echo "missing $p: run make proto-tools" >&2; exit 1; }
done

TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# The buf workspace (buf.yaml) names the proto roots: the first is ours
# (what is generated), the rest are imported.
mapfile -t ROOTS < <(sed -n 's/^  - path: //p' buf.yaml)
[ "${#ROOTS[@]}" -ge 1 ] || { echo "buf.yaml names no modules" >&2; exit 1; }
OURS=${ROOTS[0]}
INCLUDES=()
for r in "${ROOTS[@]}"; do INCLUDES+=(-I "$r"); done
INCLUDES+=(-I "$WKT")

for dir in $(find "$OURS" -name '*.proto' -exec dirname {} \; | sort -u); do
  files=$(find "$dir" -maxdepth 1 -name '*.proto' | sort)
  protoc "${INCLUDES[@]}" \
    --gocosmos_out=plugins=grpc,Mgoogle/protobuf/any.proto=github.com/cosmos/gogoproto/types/any:"$TMP" \
    --grpc-gateway_out=logtostderr=true,allow_colon_final_segments=true:"$TMP" \
    $files
done
cp -r "$TMP/github.com/pocnet/pocd/." .

# One OpenAPI document for all pocd modules, served by the node at /openapi/pocd.json.
protoc "${INCLUDES[@]}" \
  --openapiv2_out="$TMP" \
  --openapiv2_opt=allow_merge=true,merge_file_name=pocd,output_format=json,omit_enum_default_value=true \
  $(find "$OURS" -name 'query.proto' | sort)
install -m 0644 "$TMP/pocd.swagger.json" docs/openapi/pocd.json
