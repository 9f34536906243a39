package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/mod/sumdb/note"
	sumtlog "golang.org/x/mod/sumdb/tlog"

	"lifeline/internal/errs"
	"lifeline/internal/tlog"
)

// cmdVerify is `lifeline verify checkpoint|inclusion|consistency|audit`:
// an auditor's checks of a node's transparency log, offline from files (a
// directory made by `lifeline log mirror`, or files given as arguments) or
// against a node's URL, with the trusted keys given as files.
func cmdVerify(e *Env, args []string) error {
	subs := map[string]func(*Env, []string) error{
		"checkpoint":  verifyCheckpoint,
		"inclusion":   verifyInclusion,
		"consistency": verifyConsistency,
		"audit":       verifyAudit,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		fmt.Fprintln(e.Stderr, "Usage: lifeline verify checkpoint|inclusion|consistency|audit [--url URL | --dir DIR] --key FILE [--key FILE...] [--quorum N]; lifeline verify SUBCOMMAND -h for more")
		return errUsage
	}
	return subs[args[0]](e, args[1:])
}

// keyFiles is a repeatable --key flag.
type keyFiles []string

func (k *keyFiles) String() string     { return strings.Join(*k, ",") }
func (k *keyFiles) Set(v string) error { *k = append(*k, v); return nil }

// logFlags are the flags every verify subcommand shares.
type logFlags struct {
	url    string
	dir    string
	keys   keyFiles
	quorum int
	origin string
	json   bool
}

func (f *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", "", "the node's URL (its log is under /log/), e.g. https://ua.example")
	fs.StringVar(&f.dir, "dir", "", "a copy of the log made by lifeline log mirror")
	fs.Var(&f.keys, "key", "a file holding a trusted signed-note verifier key (lifeline log key; GET /log/key); repeat for the node and each witness")
	fs.IntVar(&f.quorum, "quorum", 2, "how many trusted keys must have signed the checkpoint")
	fs.StringVar(&f.origin, "origin", "", "the log's origin, if it must be checked (e.g. lifeline/UA)")
	fs.BoolVar(&f.json, "json", false, "print JSON")
}

// source returns the log read from --url or --dir; ok is false when
// neither is given.
func (f *logFlags) source() (src tlog.Source, ok bool, err error) {
	switch {
	case f.url != "" && f.dir != "":
		return nil, false, errs.E("verify", errs.Invalid, "give --url or --dir, not both")
	case f.url != "":
		return tlog.URL{Base: logURL(f.url), Client: &http.Client{Timeout: time.Minute}}, true, nil
	case f.dir != "":
		if st, err := os.Stat(f.dir); err != nil || !st.IsDir() {
			return nil, false, errs.E("verify", errs.Invalid, "%s is not a directory", f.dir)
		}
		return tlog.Dir(f.dir), true, nil
	}
	return nil, false, nil
}

// logURL returns the prefix of a node's log from its address: the address
// itself when it already ends in /log.
func logURL(u string) string {
	u = strings.TrimSuffix(u, "/")
	if !strings.HasSuffix(u, "/log") {
		u += "/log"
	}
	return u + "/"
}

// verifiers reads the trusted keys.
func (f *logFlags) verifiers() (note.Verifiers, error) {
	const op = "verify"
	if len(f.keys) == 0 {
		return nil, errs.E(op, errs.Invalid, "give the trusted keys with --key FILE (the node's and its witnesses')")
	}
	if f.quorum < 1 {
		return nil, errs.E(op, errs.Invalid, "--quorum must be at least 1")
	}
	var vs []note.Verifier
	for _, name := range f.keys {
		v, err := readVerifierKey(name)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}

// readVerifierKey reads a file holding one signed-note verifier key line
// (name+hash+base64), with '#' comment lines around it.
func readVerifierKey(name string) (note.Verifier, error) {
	const op = "verify.key"
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "cannot read key file %s: %v", name, err)
	}
	vkey := ""
	for l := range strings.Lines(string(data)) {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			vkey = l
			break
		}
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "key file %s does not hold a signed-note verifier key (name+hash+base64): %v", name, err)
	}
	return v, nil
}

// readCheckpoint reads and verifies a checkpoint from a file, or else from
// the source.
func (f *logFlags) readCheckpoint(e *Env, file string, src tlog.Source) (*tlog.Checkpoint, error) {
	vs, err := f.verifiers()
	if err != nil {
		return nil, err
	}
	var msg []byte
	switch {
	case file != "":
		if msg, err = os.ReadFile(file); err != nil {
			return nil, errs.E("verify", errs.Invalid, "cannot read checkpoint %s: %v", file, err)
		}
	case src != nil:
		if msg, err = src.ReadFile(e.Ctx, "checkpoint"); err != nil {
			return nil, err
		}
	default:
		return nil, errs.E("verify", errs.Invalid, "give a checkpoint file, --url or --dir")
	}
	return tlog.VerifyCheckpoint(msg, f.origin, vs, f.quorum)
}

// checkpointJSON is a verified checkpoint as printed with --json.
type checkpointJSON struct {
	Origin    string   `json:"origin"`
	Size      int64    `json:"size"`
	Hash      string   `json:"hash"`
	Signers   []string `json:"signers"`
	Untrusted []string `json:"untrusted,omitempty"`
}

func cpJSON(c *tlog.Checkpoint) checkpointJSON {
	return checkpointJSON{Origin: c.Origin, Size: c.Size, Hash: c.Hash.String(), Signers: c.Signers, Untrusted: c.Untrusted}
}

func describeCheckpoint(c *tlog.Checkpoint, quorum int) string {
	s := fmt.Sprintf("checkpoint of %s: %d entries, root hash %s, signed by %s (quorum %d)", c.Origin, c.Size, c.Hash, strings.Join(c.Signers, ", "), quorum)
	if len(c.Untrusted) > 0 {
		s += "; not counted, by untrusted keys: " + strings.Join(c.Untrusted, ", ")
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// verifyCheckpoint is `lifeline verify checkpoint [FILE]`.
func verifyCheckpoint(e *Env, args []string) error {
	var f logFlags
	fs := e.flags("verify checkpoint", "verify checkpoint [FILE | --url URL | --dir DIR] --key FILE... [--quorum N] [--json]", nil)
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return needArgs(fs, 1, "at most one checkpoint file")
	}
	src, _, err := f.source()
	if err != nil {
		return err
	}
	c, err := f.readCheckpoint(e, fs.Arg(0), src)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.Stdout, cpJSON(c))
	}
	fmt.Fprintln(e.Stdout, "OK", describeCheckpoint(c, f.quorum))
	return nil
}

// verifyInclusion is `lifeline verify inclusion`: with --url or --dir and
// --index N it proves entry N from the tiles; with CHECKPOINT PROOF.json it
// checks a proof given as a file.
func verifyInclusion(e *Env, args []string) error {
	var f logFlags
	fs := e.flags("verify inclusion", "verify inclusion (--url URL | --dir DIR) --index N | CHECKPOINT PROOF.json; --key FILE... [--quorum N] [--json]", nil)
	f.register(fs)
	index := fs.Int64("index", -1, "the entry to prove, from the served tiles")
	if err := parse(fs, args); err != nil {
		return err
	}
	src, ok, err := f.source()
	if err != nil {
		return err
	}
	var c *tlog.Checkpoint
	var p *tlog.InclusionProof
	switch {
	case ok && fs.NArg() == 0:
		if *index < 0 {
			return errs.E("verify inclusion", errs.Invalid, "give --index N, the entry to prove")
		}
		if c, err = f.readCheckpoint(e, "", src); err != nil {
			return err
		}
		if p, err = tlog.ProveInclusion(e.Ctx, src, c, *index); err != nil {
			return err
		}
	case !ok && fs.NArg() == 2:
		if c, err = f.readCheckpoint(e, fs.Arg(0), nil); err != nil {
			return err
		}
		p = new(tlog.InclusionProof)
		if err := readJSONFile(fs.Arg(1), p); err != nil {
			return err
		}
	default:
		return needArgs(fs, 2, "--url or --dir with --index N, or the files CHECKPOINT and PROOF.json")
	}
	entry, err := tlog.VerifyInclusion(c, p)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.Stdout, map[string]any{"checkpoint": cpJSON(c), "index": p.Index, "entry": entry, "proof": p})
	}
	fmt.Fprintf(e.Stdout, "OK entry %d is in the log of %d entries (%s)\n", p.Index, c.Size, c.Origin)
	data, _ := json.Marshal(entry)
	fmt.Fprintf(e.Stdout, "entry: %s\n", data)
	return nil
}

func readJSONFile(name string, v any) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return errs.E("verify", errs.Invalid, "cannot read %s: %v", name, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E("verify", errs.Invalid, "%s is not a valid proof file: %v", name, err)
	}
	return nil
}

// verifyConsistency is `lifeline verify consistency OLD`: that the log
// served (--url or --dir) extends the old checkpoint; or, with OLD NEW
// PROOF.json, that a given proof links two checkpoints.
func verifyConsistency(e *Env, args []string) error {
	var f logFlags
	fs := e.flags("verify consistency", "verify consistency OLD_CHECKPOINT (--url URL | --dir DIR) | OLD_CHECKPOINT NEW_CHECKPOINT PROOF.json; --key FILE... [--quorum N] [--json]", nil)
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	src, ok, err := f.source()
	if err != nil {
		return err
	}
	var old, cur *tlog.Checkpoint
	var proof sumtlog.TreeProof
	switch {
	case ok && fs.NArg() == 1:
		if old, err = f.readCheckpoint(e, fs.Arg(0), nil); err != nil {
			return err
		}
		if cur, err = f.readCheckpoint(e, "", src); err != nil {
			return err
		}
		if proof, err = tlog.ProveConsistency(e.Ctx, src, old, cur); err != nil {
			return err
		}
	case !ok && fs.NArg() == 3:
		if old, err = f.readCheckpoint(e, fs.Arg(0), nil); err != nil {
			return err
		}
		if cur, err = f.readCheckpoint(e, fs.Arg(1), nil); err != nil {
			return err
		}
		var p tlog.ConsistencyProof
		if err := readJSONFile(fs.Arg(2), &p); err != nil {
			return err
		}
		if p.Old != old.Size || p.New != cur.Size {
			return errs.E("verify consistency", errs.Invalid, "the proof is from %d to %d entries, the checkpoints have %d and %d", p.Old, p.New, old.Size, cur.Size)
		}
		proof = p.Proof
	default:
		return needArgs(fs, 1, "OLD_CHECKPOINT with --url or --dir, or the files OLD_CHECKPOINT NEW_CHECKPOINT PROOF.json")
	}
	if err := tlog.VerifyConsistency(old, cur, proof); err != nil {
		return err
	}
	if f.json {
		return writeJSON(e.Stdout, map[string]any{"old": cpJSON(old), "new": cpJSON(cur), "proof": tlog.ConsistencyProof{Old: old.Size, New: cur.Size, Proof: proof}})
	}
	fmt.Fprintf(e.Stdout, "OK the log of %d entries extends the log of %d entries (%s)\n", cur.Size, old.Size, cur.Origin)
	return nil
}

// auditJSON is the output of verify audit --json.
type auditJSON struct {
	Checkpoint checkpointJSON `json:"checkpoint"`
	Entries    int64          `json:"entries"`
	Tiles      int            `json:"tiles"`
	Stats      []tlog.Stat    `json:"stats"`
	Recount    *recount       `json:"recount,omitempty"`
}

// recount is the statistic asked for with the filter flags.
type recount struct {
	Type    string `json:"type,omitempty"`
	Party   string `json:"party,omitempty"`
	Peer    string `json:"peer,omitempty"`
	Month   string `json:"month,omitempty"`
	Unit    string `json:"unit,omitempty"`
	Entries int    `json:"entries"`
	Count   int    `json:"count"`
	Text    string `json:"text"`
	units   map[string]bool
}

func (r *recount) match(s tlog.Stat) bool {
	return (r.Type == "" || s.Type == r.Type) && (r.Party == "" || s.Party == r.Party) &&
		(r.Peer == "" || s.Peer == r.Peer) && (r.Month == "" || s.Month == r.Month) &&
		(r.Unit == "" || s.Unit == r.Unit)
}

var typeWords = map[string]string{
	tlog.Dispatched: "dispatched", tlog.HandedOver: "handed over", tlog.Received: "received",
	tlog.Delivered: "delivered", tlog.Acknowledged: "acknowledged", tlog.Undeliverable: "undeliverable",
	tlog.AcceptanceRefused: "refused", tlog.Accepted: "accepted", tlog.Repatriated: "repatriated",
	tlog.DidNotTravel: "who did not travel",
}

// sentence says a recount in words: "3 parcels delivered by RU to UA in
// 2024-12".
func (r *recount) sentence() string {
	unit := r.Unit
	if unit == "" && len(r.units) == 1 {
		for u := range r.units {
			unit = u
		}
	}
	switch {
	case unit == "":
		unit = "counted"
	case r.Count != 1:
		unit += "s"
	}
	s := strconv.Itoa(r.Count) + " " + unit
	if r.Type != "" {
		s += " " + typeWords[r.Type]
	}
	if r.Party != "" {
		s += " by " + r.Party
	}
	if r.Peer != "" {
		s += " to " + r.Peer
	}
	if r.Month != "" {
		s += " in " + r.Month
	}
	if r.Entries == 1 {
		return s + " (1 entry)"
	}
	return s + fmt.Sprintf(" (%d entries)", r.Entries)
}

// verifyAudit is `lifeline verify audit`: it reads every entry and tile,
// recomputes the tree, checks it against the co-signed checkpoint and
// recounts the statistics.
func verifyAudit(e *Env, args []string) error {
	var f logFlags
	fs := e.flags("verify audit", "verify audit (--url URL | --dir DIR) --key FILE... [--quorum N] [--type T --party P --peer P --month YYYY-MM --unit U] [--json]", nil)
	f.register(fs)
	var r recount
	fs.StringVar(&r.Type, "type", "", "recount entries of this event type: "+strings.Join(tlog.Types, ", "))
	fs.StringVar(&r.Party, "party", "", "recount entries of this acting party")
	fs.StringVar(&r.Peer, "peer", "", "recount entries towards this other party")
	fs.StringVar(&r.Month, "month", "", "recount entries of this month, YYYY-MM")
	fs.StringVar(&r.Unit, "unit", "", "recount entries of this unit (parcel, civilian, ...)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needArgs(fs, 0, "no arguments"); err != nil {
		return err
	}
	src, ok, err := f.source()
	if err != nil {
		return err
	}
	if !ok {
		return errs.E("verify audit", errs.Invalid, "give --url URL or --dir DIR")
	}
	vs, err := f.verifiers()
	if err != nil {
		return err
	}
	rep, err := tlog.Audit(e.Ctx, src, f.origin, vs, f.quorum)
	if err != nil {
		return err
	}
	filtered := r.Type != "" || r.Party != "" || r.Peer != "" || r.Month != "" || r.Unit != ""
	out := auditJSON{Checkpoint: cpJSON(rep.Checkpoint), Entries: rep.Entries, Tiles: rep.Tiles, Stats: []tlog.Stat{}}
	for _, s := range rep.Stats {
		if r.match(s) {
			out.Stats = append(out.Stats, s)
			r.Entries += s.Entries
			r.Count += s.Count
			if r.units == nil {
				r.units = map[string]bool{}
			}
			r.units[s.Unit] = true
		}
	}
	if filtered {
		r.Text = r.sentence()
		out.Recount = &r
	}
	if f.json {
		return writeJSON(e.Stdout, out)
	}
	fmt.Fprintln(e.Stdout, "OK", describeCheckpoint(rep.Checkpoint, f.quorum))
	fmt.Fprintf(e.Stdout, "checked %d entries and %d tiles against it\n\n", rep.Entries, rep.Tiles)
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MONTH\tTYPE\tPARTY\tPEER\tUNIT\tENTRIES\tCOUNT")
	for _, s := range out.Stats {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", s.Month, s.Type, s.Party, s.Peer, s.Unit, s.Entries, s.Count)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if filtered {
		fmt.Fprintf(e.Stdout, "\nrecount: %s\n", r.Text)
	}
	return nil
}
