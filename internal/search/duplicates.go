package search

import (
	"strings"

	"lifeline/internal/auth"
	"lifeline/internal/names"
	"lifeline/internal/registry"
)

// DuplicateScore is the name score from which a registered person is a
// likely duplicate of a new record.
const DuplicateScore = 0.85

// Duplicates lists persons in the principal's scope who are likely the
// same as p: the name matches in some spelling and the birth date and sex
// do not contradict it. Nothing is merged; a person decides.
func (s *Service) Duplicates(p *registry.Person, pr *auth.Principal) []names.Result {
	if s == nil || p.NativeName == "" {
		return nil
	}
	var out []names.Result
	seen := map[int64]bool{}
	for _, n := range append([]string{p.NativeName}, p.LatinNames...) {
		rs, err := s.Search(names.Query{Text: n, BirthDate: p.BirthDate, Sex: p.Sex, Limit: 10}, pr)
		if err != nil {
			continue
		}
		for _, r := range rs {
			if r.ID == p.ID || seen[r.ID] || r.Score < DuplicateScore {
				continue
			}
			s.mu.RLock()
			meta, ok := s.meta[r.ID]
			s.mu.RUnlock()
			if ok && !compatible(meta.birth, p.BirthDate) || ok && meta.sex != "" && p.Sex != "" && meta.sex != p.Sex {
				continue
			}
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

// compatible reports whether two partial dates can be the same day.
func compatible(a, b string) bool {
	if a == "" || b == "" {
		return true
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}
