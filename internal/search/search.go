// Package search keeps the cross-script name index of package names current
// with the registry and answers queries within a caller's party scope.
package search

import (
	"context"
	"sync"

	"lifeline/internal/auth"
	"lifeline/internal/names"
	"lifeline/internal/registry"
	"lifeline/internal/store"
)

// Service is the person search of a node.
type Service struct {
	ix *names.Index

	mu    sync.RWMutex
	scope map[int64][2]uint8 // person id → (party, holding party) as codes
	meta  map[int64]meta     // person id → what duplicate checks compare
	codes []string           // code index → party code; 0 is ""
	index map[string]uint8
}

// meta is what a duplicate check compares beyond the name.
type meta struct {
	birth string
	sex   string
}

// New returns an empty service.
func New() *Service {
	return &Service{ix: names.NewIndex(), scope: map[int64][2]uint8{}, meta: map[int64]meta{}, codes: []string{""}, index: map[string]uint8{"": 0}}
}

// Index returns the underlying name index.
func (s *Service) Index() *names.Index { return s.ix }

func (s *Service) code(c string) uint8 {
	if i, ok := s.index[c]; ok {
		return i
	}
	s.codes = append(s.codes, c)
	i := uint8(len(s.codes) - 1)
	s.index[c] = i
	return i
}

// Record maps a person to an index record.
func Record(p *registry.Person) names.Record {
	ns := make([]string, 0, 1+len(p.LatinNames))
	ns = append(ns, p.NativeName)
	ns = append(ns, p.LatinNames...)
	return names.Record{ID: p.ID, ExternalID: p.ExternalID, Names: ns, BirthDate: p.BirthDate, Sex: p.Sex, Place: p.BirthPlace}
}

// Load rebuilds the index from every person in db.
func (s *Service) Load(ctx context.Context, db *store.DB) error {
	var recs []names.Record
	scope := map[int64][2]uint8{}
	metas := map[int64]meta{}
	s.mu.Lock()
	defer s.mu.Unlock()
	after := int64(0)
	for {
		ps, next, err := db.Persons(ctx, store.PersonFilter{After: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, p := range ps {
			recs = append(recs, Record(p))
			scope[p.ID] = [2]uint8{s.code(p.PartyCode), s.code(p.HoldingParty)}
			metas[p.ID] = meta{p.BirthDate, p.Sex}
		}
		if next == "" {
			break
		}
		after = ps[len(ps)-1].ID
	}
	s.ix.Build(recs)
	s.scope, s.meta = scope, metas
	return nil
}

// Refresh re-reads the given persons into the index; nil ids reload all.
func (s *Service) Refresh(ctx context.Context, db *store.DB, ids []int64) error {
	if ids == nil {
		return s.Load(ctx, db)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		ps, _, err := db.Persons(ctx, store.PersonFilter{IDs: ids[:n], Limit: 500})
		if err != nil {
			return err
		}
		ids = ids[n:]
		for _, p := range ps {
			s.ix.Upsert(Record(p))
			s.mu.Lock()
			s.scope[p.ID] = [2]uint8{s.code(p.PartyCode), s.code(p.HoldingParty)}
			s.meta[p.ID] = meta{p.BirthDate, p.Sex}
			s.mu.Unlock()
		}
	}
	return nil
}

// Search runs q within the scope of p (nil p: every person, for the
// command line run by the node's operator).
func (s *Service) Search(q names.Query, p *auth.Principal) ([]names.Result, error) {
	if p != nil && p.Scope() != "" {
		s.mu.RLock()
		c, ok := s.index[p.Scope()]
		s.mu.RUnlock()
		if !ok {
			return []names.Result{}, nil
		}
		q.Allow = func(id int64) bool {
			s.mu.RLock()
			sc := s.scope[id]
			s.mu.RUnlock()
			return sc[0] == c || sc[1] == c
		}
	}
	rs, err := s.ix.Search(q)
	if rs == nil && err == nil {
		rs = []names.Result{}
	}
	return rs, err
}
