package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"lifeline/internal/api"
	"lifeline/internal/config"
	"lifeline/internal/names"
	"lifeline/internal/search"
	"lifeline/internal/translit"
)

// cmdTranslit is `lifeline translit --scheme S [TEXT...]`.
func cmdTranslit(e *Env, args []string) error {
	fs := e.flags("translit", "translit --scheme kmu2010|icao9303|gost779b|bgnpcgn [TEXT...]  (reads lines from stdin without TEXT)", nil)
	scheme := fs.String("scheme", "", "kmu2010, icao9303, gost779b or bgnpcgn")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := translit.ParseScheme(*scheme)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.Stdout)
	defer w.Flush()
	if fs.NArg() > 0 {
		for _, a := range fs.Args() {
			fmt.Fprintln(w, translit.Translit(s, a))
		}
		return nil
	}
	sc := bufio.NewScanner(e.Stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fmt.Fprintln(w, translit.Translit(s, strings.TrimSuffix(sc.Text(), "\r")))
	}
	return sc.Err()
}

// cmdSearch is `lifeline search [--limit N] --json QUERY`.
func cmdSearch(e *Env, args []string) error {
	var cfg config.Config
	fs := e.flags("search", "search [--data DIR | --db URL] [--limit N] [--birth-date D] [--sex m|f] --json QUERY", &cfg)
	limit := fs.Int("limit", 10, "at most this many results (1 to 100)")
	asJSON := fs.Bool("json", false, "print a JSON array of {id, external_id, name, score, why}")
	birth := fs.String("birth-date", "", "rank by this birth date (YYYY, YYYY-MM or YYYY-MM-DD)")
	sex := fs.String("sex", "", "rank by sex: m or f")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	if *limit < 1 || *limit > 100 {
		return fmt.Errorf("--limit must be from 1 to 100")
	}
	db, err := e.open(&cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := search.New()
	if err := svc.Load(e.Ctx, db); err != nil {
		return err
	}
	rs, err := svc.Search(names.Query{Text: strings.Join(fs.Args(), " "), Limit: *limit, BirthDate: *birth, Sex: *sex}, nil)
	if err != nil {
		return err
	}
	hits := api.Hits(rs)
	if *asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(hits)
	}
	if len(hits) == 0 {
		fmt.Fprintln(e.Stdout, "no match")
	}
	for _, h := range hits {
		fmt.Fprintf(e.Stdout, "%d\t%s\t%.3f\t%s\t%s\n", h.ID, h.ExternalID, h.Score, h.Name, strings.Join(h.Why, "; "))
	}
	return nil
}

// cmdGen is `lifeline gen persons -n N --out FILE.csv`.
func cmdGen(e *Env, args []string) error {
	if len(args) == 0 || args[0] != "persons" {
		fmt.Fprintln(e.Stderr, "Usage: lifeline gen persons -n N --out FILE.csv")
		return errUsage
	}
	fs := e.flags("gen persons", "gen persons -n N [--seed S] --out FILE.csv", nil)
	n := fs.Int("n", 1000, "how many persons")
	out := fs.String("out", "", "the CSV file to write (- for standard output)")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same persons")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" || *n < 1 || *n > 20_000_000 {
		fs.Usage()
		return errUsage
	}
	w := e.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := names.WriteCSV(bw, names.Generate(*seed, *n)); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(e.Stderr, "wrote %d persons to %s\n", *n, *out)
	}
	return nil
}
