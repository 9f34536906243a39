package names

// gramSpace is the number of bigrams over the key alphabet plus the word
// boundary.
const gramSpace = 27 * 27

func gramCode(c byte) int {
	if c == '$' {
		return 26
	}
	return int(c - 'a')
}

// forGrams calls f with each distinct bigram of "$key$".
func forGrams(key string, f func(g int)) {
	var seen [gramSpace/64 + 1]uint64
	prev := byte('$')
	for i := 0; i <= len(key); i++ {
		c := byte('$')
		if i < len(key) {
			c = key[i]
			if c < 'a' || c > 'z' {
				continue
			}
		}
		g := gramCode(prev)*27 + gramCode(c)
		if seen[g/64]&(1<<(g%64)) == 0 {
			seen[g/64] |= 1 << (g % 64)
			f(g)
		}
		prev = c
	}
}

// maxEdits is how many typos a key of this length may carry: two from six
// letters, one from three.
func maxEdits(key string) int {
	switch {
	case len(key) >= 6:
		return 2
	case len(key) >= 3:
		return 1
	}
	return 0
}

// distance returns the optimal string alignment distance of a and b (edits
// are insertions, deletions, substitutions and swaps of neighbours), or
// limit+1 when it is over limit.
func distance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	if len(a) > maxKeyLen || len(b) > maxKeyLen {
		return limit + 1
	}
	var rows [3][maxKeyLen + 1]int
	pp, p, c := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		p[j] = j
	}
	for i := 1; i <= len(a); i++ {
		c[0] = i
		low := c[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(p[j]+1, c[j-1]+1, p[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, pp[j-2]+1)
			}
			c[j] = v
			low = min(low, v)
		}
		if low > limit {
			return limit + 1
		}
		pp, p, c = p, c, pp
	}
	if p[len(b)] > limit {
		return limit + 1
	}
	return p[len(b)]
}
