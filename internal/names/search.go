package names

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Query asks for persons by name, optionally helped by birth date, sex and
// place.
type Query struct {
	Text      string
	BirthDate string // YYYY-MM-DD, YYYY-MM or YYYY
	Sex       string // "m", "f" or ""
	Place     string
	Limit     int                 // default 10, at most 100
	Allow     func(id int64) bool // the caller's scope; nil allows all
}

// Result is one person found, best first, with the reasons it matched.
type Result struct {
	ID         int64
	ExternalID string
	Name       string
	Score      float64
	Why        []string
}

const (
	maxQueryRunes  = 200
	maxQueryTokens = 8
	defaultLimit   = 10
	maxLimit       = 100
	maxFuzzyTerms  = 16
	maxExpansions  = 96    // per query token
	narrowBudget   = 10000 // postings a span may add in the first pass
	wideBudget     = 60000 // and in the second
	minNameScore   = 0.3
)

// matchKind is how a query word met a term of a person.
type matchKind uint8

const (
	exact matchKind = iota
	genderForm
	groupForm
	groupDiminutive
	groupForeign
	typo
	typoGroup
)

// expansion is one term a query word may stand for.
type expansion struct {
	term  int32
	score float32
	kind  matchKind
	dist  uint8
}

// cand is one person met by the query so far: per query word, the best
// expansion (1-based; 0 is none).
type cand struct {
	doc int32
	exp [maxQueryTokens]uint16
}

type scratch struct {
	stamp   []uint32
	slot    []int32
	epoch   uint32
	cands   []cand
	sorted  bool // cands are in doc order
	counts  []uint8
	touched []int32
}

func (ix *Index) getScratch() *scratch {
	s, _ := ix.pool.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	if len(s.stamp) < len(ix.docs) {
		s.stamp = make([]uint32, len(ix.docs)+len(ix.docs)/8)
		s.slot = make([]int32, len(s.stamp))
		s.epoch = 0
	}
	if len(s.counts) < len(ix.keys) {
		s.counts = make([]uint8, len(ix.keys)+len(ix.keys)/8)
	}
	s.restart()
	return s
}

// restart forgets the persons found, keeping the arrays.
func (s *scratch) restart() {
	s.epoch++
	if s.epoch == 0 {
		clear(s.stamp)
		s.epoch = 1
	}
	s.cands = s.cands[:0]
	s.sorted = false
}

// Search finds the persons that best match q. An empty query or one over
// 200 characters is Invalid; a query without any name in it finds nothing.
func (ix *Index) Search(q Query) ([]Result, error) {
	const op = "names.Search"
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return nil, errs.E(op, errs.Invalid, "the query is empty")
	}
	if len(text) > 4*maxQueryRunes || utf8.RuneCountInString(text) > maxQueryRunes {
		return nil, errs.E(op, errs.Invalid, "the query is longer than %d characters", maxQueryRunes)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	qt, initials := splitInitials(tokens(text))
	if len(qt) > maxQueryTokens {
		qt = qt[:maxQueryTokens]
	}
	if len(qt) == 0 {
		return []Result{}, nil
	}
	qBirth, qSex, qPlace := parseDate(q.BirthDate), parseSex(q.Sex), placeKey(q.Place)

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := ix.getScratch()
	defer ix.pool.Put(s)

	// Expand every word into spans: its sure forms (exact, other form,
	// diminutive, gender) and its typo neighbours. Persons are gathered from
	// the rarest span first. Once enough are found, a span over budget only
	// scores persons already found instead of adding every namesake, and the
	// typo neighbours of a word that has sure forms never add persons.
	var exps []expansion
	var spans []span
	for ti, t := range qt {
		start := len(exps)
		exps = ix.expand(exps, t.key, s)
		cut := start
		for cut < len(exps) && exps[cut].kind < typo {
			cut++
		}
		sure := span{tok: ti, from: start, to: cut}
		weak := span{tok: ti, from: cut, to: len(exps), weak: true, needed: cut == start}
		for _, sp := range []span{sure, weak} {
			if sp.from == sp.to {
				continue
			}
			for _, e := range exps[sp.from:sp.to] {
				sp.size += len(ix.post[e.term])
			}
			spans = append(spans, sp)
		}
	}
	slices.SortStableFunc(spans, func(a, b span) int {
		if a.late() != b.late() {
			if a.late() {
				return 1
			}
			return -1
		}
		return a.size - b.size
	})
	places := ix.nearPlaces(qPlace)
	r := ranker{q: q, nq: len(qt), limit: limit, exps: exps, birth: qBirth, sex: qSex, places: places, initials: initials}
	top, narrowed := ix.rank(s, &r, spans, narrowBudget)
	if narrowed && doubtful(top, qBirth) {
		// Nothing found matches the name and birth date well: look again,
		// letting common words add their persons too.
		s.restart()
		top, _ = ix.rank(s, &r, spans, wideBudget)
	}
	out := make([]Result, len(top))
	for i, t := range top {
		c := &s.cands[t.c]
		d := &ix.docs[c.doc]
		out[i] = Result{
			ID:         d.id,
			ExternalID: ix.docExt(d),
			Name:       ix.docName(d),
			Score:      math.Round(float64(t.score)*1000) / 1000,
			Why:        ix.explain(c, d, qt, &r),
		}
	}
	return out, nil
}

// expand appends the terms the query key may stand for, best first.
func (ix *Index) expand(exps []expansion, key string, s *scratch) []expansion {
	start := len(exps)
	add := func(term int32, score float32, kind matchKind, dist int) {
		if len(exps)-start >= maxExpansions || len(ix.post[term]) == 0 {
			return
		}
		for i := start; i < len(exps); i++ {
			if exps[i].term == term {
				if score > exps[i].score {
					exps[i] = expansion{term, score, kind, uint8(dist)}
				}
				return
			}
		}
		exps = append(exps, expansion{term, score, kind, uint8(dist)})
	}
	if t, ok := ix.termOf[key]; ok {
		add(t, 1, exact, 0)
	}
	names := givenNames()
	for _, r := range names.byKey[key] {
		for _, t := range ix.groupTerms[r.group] {
			kind := groupForm
			score := float32(0.9)
			tk, _ := names.kindOf(ix.keys[t], r.group)
			switch {
			case r.kind == diminutive || tk == diminutive:
				kind, score = groupDiminutive, 0.85
			case r.kind == foreignForm || tk == foreignForm:
				kind = groupForeign
			}
			add(t, score, kind, 0)
		}
	}
	for _, m := range mascForms(key) {
		if t, ok := ix.termOf[m]; ok {
			add(t, 0.9, genderForm, 0)
		}
		for _, t := range ix.femOf[m] {
			add(t, 0.9, genderForm, 0)
		}
	}
	for _, t := range ix.femOf[key] {
		add(t, 0.9, genderForm, 0)
	}
	for _, f := range ix.fuzzy(key, s) {
		score := float32(0.75)
		if f.dist == 2 {
			score = 0.55
		}
		add(f.term, score, typo, f.dist)
		for _, r := range names.byKey[ix.keys[f.term]] {
			for _, t := range ix.groupTerms[r.group] {
				add(t, score*0.9, typoGroup, f.dist)
			}
		}
	}
	slices.SortStableFunc(exps[start:], func(a, b expansion) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	return exps
}

type fuzzyTerm struct {
	term int32
	dist int
}

// fuzzy returns the terms within maxEdits of key, nearest and most common
// first. Bigrams shared with key pick the terms worth measuring.
func (ix *Index) fuzzy(key string, s *scratch) []fuzzyTerm {
	d := maxEdits(key)
	if d == 0 {
		return nil
	}
	need := max(1, len(key)-2*d)
	touched := s.touched[:0]
	forGrams(key, func(g int) {
		for _, t := range ix.grams[g] {
			if s.counts[t] == 0 {
				touched = append(touched, t)
			}
			if s.counts[t] < 255 {
				s.counts[t]++
			}
		}
	})
	var out []fuzzyTerm
	for _, t := range touched {
		if int(s.counts[t]) >= need {
			k := ix.keys[t]
			if k != key {
				if dist := distance(key, k, d); dist <= d {
					out = append(out, fuzzyTerm{t, dist})
				}
			}
		}
		s.counts[t] = 0
	}
	s.touched = touched
	slices.SortFunc(out, func(a, b fuzzyTerm) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return len(ix.post[b.term]) - len(ix.post[a.term])
	})
	if len(out) > maxFuzzyTerms {
		out = out[:maxFuzzyTerms]
	}
	return out
}

// ranker holds what scoring needs across the passes of one search.
type ranker struct {
	q        Query
	nq       int
	limit    int
	exps     []expansion
	birth    int32
	sex      uint8
	places   map[int32]bool
	initials []token
}

// splitInitials parts one-letter words (the А. and П. of "Щербак А. П.")
// from the names, unless the query holds nothing else.
func splitInitials(ts []token) (names, initials []token) {
	for _, t := range ts {
		if utf8.RuneCountInString(t.text) == 1 {
			initials = append(initials, t)
		} else {
			names = append(names, t)
		}
	}
	if len(names) == 0 {
		return initials, nil
	}
	return names, initials
}

// initialOf returns the term of doc n that initial i begins, or -1.
func (ix *Index) initialOf(n int32, i token) int32 {
	for _, t := range ix.docTerms(n) {
		if strings.HasPrefix(ix.keys[t], i.key) {
			return t
		}
	}
	return -1
}

// rank gathers persons span by span and returns the best, and whether some
// span only scored persons already found because it was over budget.
func (ix *Index) rank(s *scratch, r *ranker, spans []span, budget int) ([]scored, bool) {
	narrowed := false
	for _, sp := range spans {
		if len(s.cands) >= r.limit && (sp.size > budget || (sp.weak && !sp.needed)) {
			narrowed = narrowed || sp.size > budget
			ix.update(s, sp, r.exps)
		} else {
			ix.collect(s, sp.tok, r.exps, sp.from, sp.to)
		}
	}
	// The most birth date, sex and place can add; a person whose name
	// score plus that cannot pass the last of a full list is skipped without
	// reading the person.
	bonus := float32(0)
	if r.birth != 0 {
		bonus += 0.3
	}
	if r.sex != 0 {
		bonus += 0.05
	}
	if len(r.places) > 0 {
		bonus += 0.1
	}
	bonus += 0.05 * float32(len(r.initials))
	top := make([]scored, 0, r.limit+1)
	for ci := range s.cands {
		c := &s.cands[ci]
		name, matched := nameScore(c, r.exps, r.nq)
		if name < minNameScore || (len(top) == r.limit && name+bonus < top[r.limit-1].score) {
			continue
		}
		d := &ix.docs[c.doc]
		if r.q.Allow != nil && !r.q.Allow(d.id) {
			continue
		}
		score := name - min(0.05, 0.01*float32(max(0, int(d.nNative)-matched)))
		score += birthScore(r.birth, d.birth)
		score += sexScore(r.sex, d.sex)
		if d.place >= 0 && r.places[d.place] {
			score += 0.1
		}
		for _, in := range r.initials {
			if ix.initialOf(c.doc, in) >= 0 {
				score += 0.05
			}
		}
		top = pushTop(top, scored{c: ci, id: d.id, score: score, name: name, birth: d.birth}, r.limit)
	}
	return top, narrowed
}

// doubtful reports a first pass whose best result matches the name poorly
// or, when a birth date was given, matches it in no result.
func doubtful(top []scored, birth int32) bool {
	if len(top) == 0 || top[0].name < 0.8 {
		return true
	}
	if birth == 0 {
		return false
	}
	for _, t := range top {
		if birthScore(birth, t.birth) >= 0.2 {
			return false
		}
	}
	return true
}

// span is the expansions of one query word and how many postings they hold.
type span struct {
	tok, from, to, size int
	weak                bool // typo neighbours
	needed              bool // weak, and the word has no sure forms
}

// late reports spans gathered after all others: typo neighbours of a word
// that has sure forms.
func (sp span) late() bool { return sp.weak && !sp.needed }

// update records, for the word of sp, the best expansion each person already
// found meets, adding nobody.
func (ix *Index) update(s *scratch, sp span, exps []expansion) {
	for ei := sp.from; ei < sp.to; ei++ {
		e := uint16(ei + 1)
		ps := ix.post[exps[ei].term]
		if len(ps) == 0 {
			continue
		}
		if len(s.cands)*bits.Len(uint(len(ps))) < len(ps) {
			ix.updateBySearch(s, sp.tok, e, ps)
			continue
		}
		for _, n := range ps {
			if s.stamp[n] == s.epoch {
				if c := &s.cands[s.slot[n]]; c.exp[sp.tok] == 0 {
					c.exp[sp.tok] = e
				}
			}
		}
	}
}

// updateBySearch looks each person found so far up in ps: cheaper than a
// scan when ps is long and they are few.
func (ix *Index) updateBySearch(s *scratch, tok int, e uint16, ps []int32) {
	if !s.sorted {
		slices.SortFunc(s.cands, func(a, b cand) int { return int(a.doc - b.doc) })
		for i := range s.cands {
			s.slot[s.cands[i].doc] = int32(i)
		}
		s.sorted = true
	}
	lo := 0
	for ci := range s.cands {
		c := &s.cands[ci]
		i, found := slices.BinarySearch(ps[lo:], c.doc)
		lo += i
		if found && c.exp[tok] == 0 {
			c.exp[tok] = e
		}
		if lo >= len(ps) {
			break
		}
	}
}

// collect records, for query word ti, the best expansion each person meets.
func (ix *Index) collect(s *scratch, ti int, exps []expansion, from, to int) {
	s.sorted = false
	for ei := from; ei < to; ei++ {
		e := uint16(ei + 1)
		for _, n := range ix.post[exps[ei].term] {
			if s.stamp[n] != s.epoch {
				s.stamp[n] = s.epoch
				s.slot[n] = int32(len(s.cands))
				s.cands = append(s.cands, cand{doc: n})
			}
			c := &s.cands[s.slot[n]]
			if c.exp[ti] == 0 {
				c.exp[ti] = e
			}
		}
	}
}

// nameScore is the mean over query words of their best match; two words
// meeting the same term count once. It also returns how many words met.
func nameScore(c *cand, exps []expansion, nq int) (float32, int) {
	var sum float32
	matched := 0
	for t := 0; t < nq; t++ {
		e := c.exp[t]
		if e == 0 {
			continue
		}
		x := &exps[e-1]
		dup := false
		for u := 0; u < nq; u++ {
			if u == t || c.exp[u] == 0 {
				continue
			}
			y := &exps[c.exp[u]-1]
			if y.term == x.term && (y.score > x.score || (y.score == x.score && u < t)) {
				dup = true
				break
			}
		}
		if !dup {
			sum += x.score
			matched++
		}
	}
	return sum / float32(nq), matched
}

func birthScore(q, r int32) float32 {
	if q == 0 || r == 0 {
		return 0
	}
	qy, ry := q/10000, r/10000
	if qy != ry {
		return -0.15
	}
	qm, rm := q/100%100, r/100%100
	if qm == 0 || rm == 0 {
		return 0.15
	}
	if qm != rm {
		return 0.05
	}
	qd, rd := q%100, r%100
	if qd == 0 || rd == 0 {
		return 0.2
	}
	if qd != rd {
		return 0.1
	}
	return 0.3
}

func sexScore(q, r uint8) float32 {
	switch {
	case q == 0 || r == 0:
		return 0
	case q == r:
		return 0.05
	}
	return -0.2
}

// nearPlaces marks the places equal to, or within two edits of, the query
// place. A very large place list is matched exactly only.
func (ix *Index) nearPlaces(key string) map[int32]bool {
	if key == "" {
		return nil
	}
	m := map[int32]bool{}
	if p, ok := ix.placeOf[key]; ok {
		m[p] = true
	}
	if len(ix.placeKs) <= 20000 && len(key) >= 5 {
		for p, k := range ix.placeKs {
			if distance(key, k, 2) <= 2 {
				m[int32(p)] = true
			}
		}
	}
	return m
}

type scored struct {
	c     int
	id    int64
	score float32
	name  float32 // the name part of score
	birth int32
}

// pushTop keeps the best limit results, best first; equal scores go by id.
func pushTop(top []scored, r scored, limit int) []scored {
	better := func(a, b scored) bool {
		return a.score > b.score || (a.score == b.score && a.id < b.id)
	}
	if len(top) == limit && !better(r, top[len(top)-1]) {
		return top
	}
	i := len(top)
	for i > 0 && better(r, top[i-1]) {
		i--
	}
	top = slices.Insert(top, i, r)
	if len(top) > limit {
		top = top[:limit]
	}
	return top
}

// explain says, in words, why person d matched.
func (ix *Index) explain(c *cand, d *doc, qt []token, r *ranker) []string {
	exps, qBirth, qSex, places := r.exps, r.birth, r.sex, r.places
	native := tokens(ix.docName(d))
	var why []string
	for t, tok := range qt {
		e := c.exp[t]
		if e == 0 {
			continue
		}
		x := &exps[e-1]
		w := nearest(native, ix.keys[x.term])
		if w < 0 {
			continue
		}
		rel := "~"
		if x.kind == exact {
			rel = "="
		}
		why = append(why, fmt.Sprintf("%s: %s %s %s (%s)", role(native, w), tok.text, rel, native[w].text, label(x, tok.text, native[w].text)))
	}
	for _, in := range r.initials {
		if t := ix.initialOf(c.doc, in); t >= 0 {
			w := nearest(native, ix.keys[t])
			why = append(why, fmt.Sprintf("%s: %s. = %s (initial)", role(native, w), in.text, native[w].text))
		}
	}
	switch birthScore(qBirth, d.birth) {
	case 0.3:
		why = append(why, "birth date matches")
	case 0.2:
		why = append(why, "birth year and month match")
	case 0.15, 0.1, 0.05:
		why = append(why, "birth year matches")
	case -0.15:
		why = append(why, "birth year differs")
	}
	switch sexScore(qSex, d.sex) {
	case 0.05:
		why = append(why, "sex matches")
	case -0.2:
		why = append(why, "sex differs")
	}
	if d.place >= 0 && places[d.place] {
		why = append(why, "place: "+ix.places[d.place])
	}
	return why
}

// nearest returns the word of native whose key is closest to key, or -1.
func nearest(native []token, key string) int {
	w, best := -1, maxKeyLen+1
	for i, n := range native {
		if dist := distance(n.key, key, maxKeyLen); dist < best {
			w, best = i, dist
		}
	}
	return w
}

// role guesses what a word of a display name is.
func role(native []token, w int) string {
	k := native[w].key
	switch {
	case len(native) == 3 && w == 0:
		return "surname"
	case isPatronymicKey(k) && w > 0:
		return "patronymic"
	case len(givenNames().byKey[k]) > 0:
		return "given name"
	}
	return "surname"
}

func label(x *expansion, q, r string) string {
	switch x.kind {
	case exact:
		if strings.EqualFold(q, r) {
			return "exact"
		}
		return "translit"
	case genderForm:
		return "female/male form"
	case groupForm:
		return "ru/uk form"
	case groupDiminutive:
		return "diminutive"
	case groupForeign:
		return "spelling variant"
	case typo:
		return fmt.Sprintf("typo, %d edit%s", x.dist, plural(int(x.dist)))
	}
	return fmt.Sprintf("typo, %d edit%s, other form", x.dist, plural(int(x.dist)))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
