package sign

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"lifeline/internal/errs"
)

// Describe writes a summary of bundle b for people: its header, each
// signature with the party and key id trust knows it by (and whether it
// verifies), and the document's top-level fields. It reads the signed
// document even when the bundle does not verify, so that a refusal can be
// explained; it is no substitute for [Bundle.Verify].
func Describe(w io.Writer, b *Bundle, trust TrustSet) error {
	const op = "sign.Describe"
	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "kind:\t%s\n", b.Kind)
	fmt.Fprintf(tw, "from:\t%s\n", b.From)
	fmt.Fprintf(tw, "to:\t%s\n", b.To)
	if len(b.Cc) > 0 {
		fmt.Fprintf(tw, "copies to:\t%s\n", strings.Join(b.Cc, ", "))
	}
	fmt.Fprintf(tw, "ref:\t%s\n", printable(b.Ref))
	fmt.Fprintf(tw, "step:\t%d\n", b.Seq)
	fmt.Fprintf(tw, "created:\t%s\n", b.Created.UTC().Format(time.RFC3339))
	if err := tw.Flush(); err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}

	var payload []byte
	if b.Envelope != nil {
		payload, _ = decodeB64(b.Envelope.Payload)
	}
	fmt.Fprintf(&out, "signatures:\n")
	if b.Envelope == nil || len(b.Envelope.Signatures) == 0 {
		fmt.Fprintf(&out, "  none\n")
	} else {
		describeSignatures(&out, b.Envelope, payload, trust)
	}

	var st struct {
		Document json.RawMessage `json:"document"`
	}
	if payload == nil || json.Unmarshal(payload, &st) != nil || st.Document == nil {
		fmt.Fprintf(&out, "document: cannot be read\n")
	} else {
		fmt.Fprintf(&out, "document:\n")
		if err := describeDocument(&out, st.Document); err != nil {
			fmt.Fprintf(&out, "  cannot be read\n")
		}
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	return nil
}

func describeSignatures(out *bytes.Buffer, env *dsse.Envelope, payload []byte, trust TrustSet) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	pae := dsse.PAE(env.PayloadType, payload)
	for _, s := range env.Signatures {
		tk, ok := trust[s.KeyID]
		if !ok {
			fmt.Fprintf(tw, "  %s\tkey %s\tuntrusted key\n", "?", printable(s.KeyID))
			continue
		}
		status := "valid"
		sig, err := decodeB64(s.Sig)
		if payload == nil || err != nil || !ed25519.Verify(tk.Key.key, pae, sig) {
			status = "DOES NOT VERIFY"
		}
		fmt.Fprintf(tw, "  %s\tkey %s\t%s\n", tk.Party, s.KeyID, status)
	}
	tw.Flush()
}

// describeDocument lists the top-level fields of a JSON object: scalars as
// they are, lists and objects by their size.
func describeDocument(out *bytes.Buffer, doc json.RawMessage) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(doc, &fields); err != nil {
		return err
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, k := range names {
		fmt.Fprintf(tw, "  %s:\t%s\n", printable(k), summarise(fields[k]))
	}
	return tw.Flush()
}

func summarise(v json.RawMessage) string {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return "?"
	}
	switch x := x.(type) {
	case nil:
		return "none"
	case string:
		r := []rune(x)
		if len(r) > 80 {
			x = string(r[:80]) + "…"
		}
		return strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, x)
	case []any:
		return plural(len(x), "item")
	case map[string]any:
		return plural(len(x), "field")
	default:
		return string(v)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
