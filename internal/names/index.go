package names

import (
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Record is one person as the index sees it.
type Record struct {
	ID         int64
	ExternalID string
	// Names holds the native-script full name first, then every Latin
	// spelling on record, each in any word order.
	Names     []string
	BirthDate string // YYYY-MM-DD, YYYY-MM or YYYY; may be empty
	Sex       string // "m", "f" or ""
	Place     string
}

// Index is an in-memory search index over persons. Search is safe while
// Upsert, Delete and Build run in other goroutines.
type Index struct {
	mu sync.RWMutex

	docs  []doc
	byID  map[int64]int32
	free  []int32 // numbers of deleted docs, reused by Upsert
	live  int
	text  []byte  // external ids and display names, by doc
	terms []int32 // term ids, by doc
	waste int     // bytes of text and terms no doc points to

	keys       []string           // term id -> key
	post       [][]int32          // term id -> sorted doc numbers
	termOf     map[string]int32   // key -> term id
	femOf      map[string][]int32 // masculine key -> feminine term ids
	groupTerms [][]int32          // given-name group -> term ids
	grams      [gramSpace][]int32 // bigram -> term ids, for typos

	places  []string // place id -> place as first written
	placeKs []string // place id -> key
	placeOf map[string]int32

	pool sync.Pool // *scratch
}

// doc is one indexed person, kept small: 32 bytes plus its text and terms.
type doc struct {
	id      int64
	textOff uint32
	termOff uint32
	birth   int32 // yyyymmdd; 0 parts are unknown; 0 is no date
	place   int32 // -1 when unknown
	extLen  uint16
	nameLen uint16
	nTerms  uint8
	nNative uint8 // words in the display name
	sex     uint8 // 0, 'm' or 'f'
	live    bool
}

const maxTermsPerDoc = 32

// NewIndex returns an empty index.
func NewIndex() *Index {
	ix := &Index{}
	ix.reset()
	return ix
}

func (ix *Index) reset() {
	ix.docs = nil
	ix.byID = map[int64]int32{}
	ix.free = nil
	ix.live = 0
	ix.text = nil
	ix.terms = nil
	ix.waste = 0
	ix.keys = nil
	ix.post = nil
	ix.termOf = map[string]int32{}
	ix.femOf = map[string][]int32{}
	ix.groupTerms = make([][]int32, len(givenNames().groups))
	ix.grams = [gramSpace][]int32{}
	ix.places = nil
	ix.placeKs = nil
	ix.placeOf = map[string]int32{}
}

// Len returns the number of persons in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// prepared is a record reduced to what the index keeps.
type prepared struct {
	keys    []string
	nNative int
	birth   int32
	sex     uint8
	placeK  string
}

// prepare computes the keys of a record. intern shares equal key strings.
func prepare(r *Record, intern map[string]string) prepared {
	var p prepared
	var buf [96]byte
	var kb [maxKeyLen]byte
	for i, name := range r.Names {
		words := splitWords(name)
		if i == 0 {
			p.nNative = len(words)
		}
		for _, w := range words {
			k := appendKey(kb[:0], spell(buf[:0], w))
			if len(k) == 0 || len(p.keys) >= maxTermsPerDoc {
				continue
			}
			s, ok := intern[string(k)]
			if !ok {
				s = string(k)
				intern[s] = s
			}
			if !slices.Contains(p.keys, s) {
				p.keys = append(p.keys, s)
			}
		}
	}
	p.birth = parseDate(r.BirthDate)
	p.sex = parseSex(r.Sex)
	p.placeK = placeKey(r.Place)
	return p
}

// placeKey keys every word of a place and joins them.
func placeKey(place string) string {
	ts := tokens(place)
	ks := make([]string, len(ts))
	for i, t := range ts {
		ks[i] = t.key
	}
	return strings.Join(ks, " ")
}

func parseSex(s string) uint8 {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "m", "male", "м", "ч":
		return 'm'
	case "f", "female", "ж":
		return 'f'
	}
	return 0
}

// parseDate reads YYYY-MM-DD, YYYY-MM or YYYY into yyyymmdd; unknown parts
// are 0 and a malformed date is 0.
func parseDate(s string) int32 {
	s = strings.TrimSpace(s)
	num := func(t string) int32 {
		if t == "" {
			return -1
		}
		var n int32
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return -1
			}
			n = n*10 + int32(t[i]-'0')
		}
		return n
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return 0
	}
	y := num(parts[0])
	if y < 1000 {
		return 0
	}
	var m, d int32
	if len(parts) > 1 {
		if m = num(parts[1]); m < 1 || m > 12 {
			return 0
		}
	}
	if len(parts) > 2 {
		if d = num(parts[2]); d < 1 || d > 31 {
			return 0
		}
	}
	return y*10000 + m*100 + d
}

// Upsert adds a person or replaces the person with the same ID.
func (ix *Index) Upsert(r Record) {
	p := prepare(&r, map[string]string{})
	ix.mu.Lock()
	defer ix.mu.Unlock()
	n, ok := ix.byID[r.ID]
	if ok {
		ix.unlink(n)
	} else {
		if len(ix.free) > 0 {
			n = ix.free[len(ix.free)-1]
			ix.free = ix.free[:len(ix.free)-1]
		} else {
			n = int32(len(ix.docs))
			ix.docs = append(ix.docs, doc{})
		}
		ix.byID[r.ID] = n
		ix.live++
	}
	ix.fill(n, &r, &p)
	for _, t := range ix.docTerms(n) {
		ps := ix.post[t]
		i, _ := slices.BinarySearch(ps, n)
		ix.post[t] = slices.Insert(ps, i, n)
	}
	ix.compactIfWasteful()
}

// Delete removes the person with id; an unknown id is ignored.
func (ix *Index) Delete(id int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	n, ok := ix.byID[id]
	if !ok {
		return
	}
	ix.unlink(n)
	ix.docs[n] = doc{}
	delete(ix.byID, id)
	ix.free = append(ix.free, n)
	ix.live--
	ix.compactIfWasteful()
}

// unlink removes doc n from its postings and counts its storage as waste.
func (ix *Index) unlink(n int32) {
	for _, t := range ix.docTerms(n) {
		ps := ix.post[t]
		if i, ok := slices.BinarySearch(ps, n); ok {
			ix.post[t] = slices.Delete(ps, i, i+1)
		}
	}
	d := ix.docs[n]
	ix.waste += int(d.extLen) + int(d.nameLen) + 4*int(d.nTerms)
}

// fill writes the stored fields of doc n; postings are the caller's.
func (ix *Index) fill(n int32, r *Record, p *prepared) {
	ext, name := clip(r.ExternalID), ""
	if len(r.Names) > 0 {
		name = clip(strings.TrimSpace(r.Names[0]))
	}
	d := doc{
		id:      r.ID,
		textOff: uint32(len(ix.text)),
		termOff: uint32(len(ix.terms)),
		birth:   p.birth,
		place:   -1,
		extLen:  uint16(len(ext)),
		nameLen: uint16(len(name)),
		nTerms:  uint8(len(p.keys)),
		nNative: uint8(min(p.nNative, 255)),
		sex:     p.sex,
		live:    true,
	}
	ix.text = append(ix.text, ext...)
	ix.text = append(ix.text, name...)
	for _, k := range p.keys {
		ix.terms = append(ix.terms, ix.termID(k))
	}
	if p.placeK != "" {
		d.place = ix.placeID(p.placeK, r.Place)
	}
	ix.docs[n] = d
}

// clip bounds a stored string to what a doc can point at.
func clip(s string) string {
	if len(s) > 1000 {
		s = strings.ToValidUTF8(s[:1000], "")
	}
	return s
}

func (ix *Index) docTerms(n int32) []int32 {
	d := &ix.docs[n]
	return ix.terms[d.termOff : d.termOff+uint32(d.nTerms)]
}

func (ix *Index) docExt(d *doc) string {
	return string(ix.text[d.textOff : d.textOff+uint32(d.extLen)])
}

func (ix *Index) docName(d *doc) string {
	o := d.textOff + uint32(d.extLen)
	return string(ix.text[o : o+uint32(d.nameLen)])
}

// termID returns the id of key, adding a term when it is new.
func (ix *Index) termID(key string) int32 {
	if t, ok := ix.termOf[key]; ok {
		return t
	}
	t := int32(len(ix.keys))
	ix.keys = append(ix.keys, key)
	ix.post = append(ix.post, nil)
	ix.termOf[key] = t
	for _, m := range mascForms(key) {
		ix.femOf[m] = append(ix.femOf[m], t)
	}
	for _, r := range givenNames().byKey[key] {
		ix.groupTerms[r.group] = append(ix.groupTerms[r.group], t)
	}
	forGrams(key, func(g int) {
		if l := ix.grams[g]; len(l) == 0 || l[len(l)-1] != t {
			ix.grams[g] = append(l, t)
		}
	})
	return t
}

func (ix *Index) placeID(key, place string) int32 {
	if p, ok := ix.placeOf[key]; ok {
		return p
	}
	p := int32(len(ix.places))
	ix.places = append(ix.places, clip(strings.TrimSpace(place)))
	ix.placeKs = append(ix.placeKs, key)
	ix.placeOf[key] = p
	return p
}

// compactIfWasteful rewrites the text and term arenas when most of them is
// left over from replaced or deleted persons.
func (ix *Index) compactIfWasteful() {
	if ix.waste < 1<<20 || ix.waste < (len(ix.text)+4*len(ix.terms))/2 {
		return
	}
	text := make([]byte, 0, len(ix.text)-ix.waste)
	terms := make([]int32, 0, len(ix.terms))
	for i := range ix.docs {
		d := &ix.docs[i]
		if !d.live {
			continue
		}
		o := d.textOff
		d.textOff = uint32(len(text))
		text = append(text, ix.text[o:o+uint32(d.extLen)+uint32(d.nameLen)]...)
		to := d.termOff
		d.termOff = uint32(len(terms))
		terms = append(terms, ix.terms[to:to+uint32(d.nTerms)]...)
	}
	ix.text, ix.terms, ix.waste = text, slices.Clip(terms), 0
}

// Build replaces the whole index with rs, using every core. It is much
// faster than one Upsert per record.
func (ix *Index) Build(rs []Record) {
	workers := max(1, runtime.GOMAXPROCS(0))
	preps := make([]prepared, len(rs))
	var wg sync.WaitGroup
	chunk := (len(rs) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(len(rs), (w+1)*chunk)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			intern := map[string]string{}
			for i := lo; i < hi; i++ {
				preps[i] = prepare(&rs[i], intern)
			}
		}()
	}
	wg.Wait()

	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.reset()
	textLen, termLen := 0, 0
	for i := range rs {
		textLen += len(rs[i].ExternalID)
		if len(rs[i].Names) > 0 {
			textLen += len(rs[i].Names[0])
		}
		termLen += len(preps[i].keys)
	}
	ix.docs = make([]doc, 0, len(rs))
	ix.byID = make(map[int64]int32, len(rs))
	ix.text = make([]byte, 0, textLen)
	ix.terms = make([]int32, 0, termLen)
	for i := range rs {
		n, ok := ix.byID[rs[i].ID]
		if ok { // a repeated id: the later record wins
			ix.docs[n].live = false
			ix.waste += int(ix.docs[n].extLen) + int(ix.docs[n].nameLen) + 4*int(ix.docs[n].nTerms)
		}
		n = int32(len(ix.docs))
		ix.docs = append(ix.docs, doc{})
		ix.byID[rs[i].ID] = n
		ix.fill(n, &rs[i], &preps[i])
	}
	counts := make([]int32, len(ix.keys))
	for n := range ix.docs {
		if !ix.docs[n].live {
			continue
		}
		for _, t := range ix.docTerms(int32(n)) {
			counts[t]++
		}
	}
	for t, c := range counts {
		ix.post[t] = make([]int32, 0, c)
	}
	for n := range ix.docs {
		if !ix.docs[n].live {
			ix.free = append(ix.free, int32(n))
			continue
		}
		ix.live++
		for _, t := range ix.docTerms(int32(n)) {
			ix.post[t] = append(ix.post[t], int32(n))
		}
	}
	for i := range ix.free {
		ix.docs[ix.free[i]] = doc{}
	}
	ix.compactIfWasteful()
}

// Bytes estimates the memory the index holds: its arrays at capacity and
// its maps at their usual load.
func (ix *Index) Bytes() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	const sliceHdr, strHdr = 24, 16
	const mapEntry = 16 // per entry beyond key and value: control bytes and slack
	b := int64(cap(ix.docs)) * 32
	b += int64(len(ix.byID)) * (8 + 4 + mapEntry)
	b += int64(cap(ix.free))*4 + int64(cap(ix.text)) + int64(cap(ix.terms))*4
	for t, k := range ix.keys {
		b += int64(len(k)) + strHdr + sliceHdr + int64(cap(ix.post[t]))*4
	}
	b += int64(len(ix.termOf)) * (strHdr + 4 + mapEntry)
	for k, l := range ix.femOf {
		b += int64(len(k)) + strHdr + sliceHdr + mapEntry + int64(cap(l))*4
	}
	for _, l := range ix.groupTerms {
		b += sliceHdr + int64(cap(l))*4
	}
	for _, l := range ix.grams {
		b += sliceHdr + int64(cap(l))*4
	}
	for i := range ix.places {
		b += int64(len(ix.places[i])+len(ix.placeKs[i])) + 3*strHdr + 4 + mapEntry
	}
	// One search scratch per core: a stamp and a slot per doc.
	b += int64(runtime.GOMAXPROCS(0)) * int64(len(ix.docs)) * 8
	return b
}
