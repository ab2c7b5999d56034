// Package openapi embeds the OpenAPI (Swagger 2.0) document generated from
// pocd's own protos by `make proto-gen`, so the node can serve it.
package openapi

import (
	_ "embed"
	"net/http"
)

// Path is where the node's REST server serves the document.
const Path = "/openapi/pocd.json"

//go:embed pocd.json
var Spec []byte

// Handler serves Spec.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(Spec)
	})
}
