package types

import "github.com/cosmos/cosmos-sdk/types/query"

// MaxPageLimit is the most entries one page of a hotspot list query returns.
// Without it, pagination.limit=1e9 has a node read and marshal the whole
// fleet for one request (the SDK caps nothing; query-gas-limit is off by
// default). A map asks for 5,000 a page.
const MaxPageLimit = 10_000

// CheckPage refuses a page request above MaxPageLimit. A nil request, or a
// limit of 0 (the SDK's default of 100), passes.
func CheckPage(p *query.PageRequest) error {
	if p != nil && p.Limit > MaxPageLimit {
		return ErrPageTooLarge.Wrapf("pagination.limit %d is above %d", p.Limit, MaxPageLimit)
	}
	return nil
}
