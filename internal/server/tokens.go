package server

import (
	"context"
	"sync"
	"time"

	"lifeline/internal/auth"
)

// TokenCacheTTL is how long the principal of an API token is kept in
// memory after it was looked up. Tokens are not revoked, so the TTL only
// bounds how long a changed role or party takes to reach API requests.
const TokenCacheTTL = 10 * time.Second

// tokenCache keeps the principals of recently used API tokens, keyed by
// the token's hash (the token itself is never kept), so that a client
// sending many requests is looked up once every TTL rather than once a
// request. Unknown tokens are never cached: each try goes to the
// database.
type tokenCache struct {
	ttl time.Duration
	max int
	now func() time.Time
	mu  sync.Mutex
	m   map[string]tokenEntry
}

type tokenEntry struct {
	p       auth.Principal
	expires time.Time
}

func newTokenCache(ttl time.Duration, max int) *tokenCache {
	return &tokenCache{ttl: ttl, max: max, now: time.Now, m: map[string]tokenEntry{}}
}

// get returns a copy of the cached principal of the token hash, if fresh.
func (c *tokenCache) get(hash string) (*auth.Principal, bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		delete(c.m, hash)
		return nil, false
	}
	p := e.p
	return &p, true
}

// put caches a copy of p for the token hash. A full cache first drops
// its stale entries, and everything when none is stale.
func (c *tokenCache) put(hash string, p *auth.Principal) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[hash] = tokenEntry{p: *p, expires: now.Add(c.ttl)}
}

// tokenPrincipal returns the principal of an API token, from the cache
// when it was looked up within the TTL. Each request gets its own copy.
func (s *Server) tokenPrincipal(ctx context.Context, token string) (*auth.Principal, error) {
	hash := auth.HashSecret(token)
	if p, ok := s.tokens.get(hash); ok {
		return p, nil
	}
	p, err := s.app.DB.TokenPrincipal(ctx, token)
	if err != nil {
		return nil, err
	}
	s.tokens.put(hash, p)
	cp := *p
	return &cp, nil
}
