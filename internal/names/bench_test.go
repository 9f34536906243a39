package names

import (
	"math/rand"
	"os"
	"strconv"
	"testing"
)

// BenchmarkSearch measures one variant query with a birth date over 100,000
// generated persons. For the 1,000,000-person target run
//
//	LIFELINE_BENCH_N=1000000 go test -run '^$' -bench Search -benchtime 2000x ./internal/names
//
// or the whole comparison with PostgreSQL in package searchbench.
func BenchmarkSearch(b *testing.B) {
	n := 100000
	if s := os.Getenv("LIFELINE_BENCH_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("LIFELINE_BENCH_N: %v", err)
		}
	}
	ps := Generate(1, n)
	rs := make([]Record, n)
	for i, p := range ps {
		rs[i] = p.Record(int64(i + 1))
	}
	ix := NewIndex()
	ix.Build(rs)
	rng := rand.New(rand.NewSource(2))
	qs := make([]Query, 1000)
	for i := range qs {
		k := rng.Intn(n)
		vs := Variants(ps[k], rng)
		qs[i] = Query{Text: vs[i%len(vs)], BirthDate: ps[k].BirthDate}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ix.Search(qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild measures a bulk build of 100,000 generated persons.
func BenchmarkBuild(b *testing.B) {
	ps := Generate(1, 100000)
	rs := make([]Record, len(ps))
	for i, p := range ps {
		rs[i] = p.Record(int64(i + 1))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		NewIndex().Build(rs)
	}
}
