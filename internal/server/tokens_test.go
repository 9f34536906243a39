package server

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"lifeline/internal/auth"
)

func TestTokenCache(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := newTokenCache(10*time.Second, 3)
	c.now = func() time.Time { return now }
	p := &auth.Principal{UserID: 7, Name: "ua-clerk", Role: auth.Clerk, Party: "UA"}
	c.put("h1", p)
	p.Role = auth.Admin // the cache holds a copy
	got, ok := c.get("h1")
	if !ok || got.UserID != 7 || got.Role != auth.Clerk {
		t.Fatalf("got %+v, %v, want the clerk", got, ok)
	}
	got.Party = "RU" // and hands out copies
	if again, _ := c.get("h1"); again.Party != "UA" {
		t.Errorf("got party %q after a caller changed its copy, want UA", again.Party)
	}
	if _, ok := c.get("h2"); ok {
		t.Error("got an entry for an unknown hash")
	}
	now = now.Add(10 * time.Second)
	if _, ok := c.get("h1"); ok {
		t.Error("got an entry at its expiry, want none")
	}
	if len(c.m) != 0 {
		t.Errorf("got %d entries after expiry, want 0", len(c.m))
	}
	for i := range 5 {
		c.put(fmt.Sprintf("k%d", i), p)
	}
	if len(c.m) > 3 {
		t.Errorf("got %d entries, want at most 3", len(c.m))
	}
	if _, ok := c.get("k4"); !ok {
		t.Error("the latest entry is missing")
	}
}

func TestTokenCacheConcurrent(t *testing.T) {
	c := newTokenCache(time.Minute, 16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				h := fmt.Sprintf("h%d", (g+i)%24)
				c.put(h, &auth.Principal{UserID: int64((g + i) % 24), Name: h})
				if p, ok := c.get(h); ok && p.Name != fmt.Sprintf("h%d", p.UserID) {
					t.Errorf("got %+v for %s", p, h)
					return
				}
			}
		}()
	}
	wg.Wait()
}
