package sign

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"lifeline/internal/errs"
)

var update = flag.Bool("update", false, "rewrite golden files")

// parties holds the keys of a small federation: two parties, the
// intermediary, and an outsider nobody trusts.
type parties struct {
	ua, ru, icrc, outsider *Key
	trust                  TrustSet
}

func newParties(t testing.TB) parties {
	t.Helper()
	p := parties{ua: testKey(t, 1), ru: testKey(t, 2), icrc: testKey(t, 3), outsider: testKey(t, 9)}
	p.trust = TrustSet{}
	p.trust.Add("UA", p.ua.Public())
	p.trust.Add("RU", p.ru.Public())
	p.trust.Add("ICRC", p.icrc.Public())
	return p
}

type manifestLine struct {
	Tracking string `json:"tracking"`
	Weight   int    `json:"weight_g"`
	Items    int    `json:"items"`
}

type manifest struct {
	Consignment string         `json:"consignment"`
	Period      string         `json:"period"`
	Parcels     []manifestLine `json:"parcels"`
	Note        string         `json:"note"`
}

var created = time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)

func testManifest() manifest {
	return manifest{
		Consignment: "UA-RU-2026-12",
		Period:      "December <2026> & after",
		Parcels: []manifestLine{
			{Tracking: "RR123456785UA", Weight: 1250, Items: 3},
			{Tracking: "RR123456799UA", Weight: 400, Items: 1},
		},
		Note: "Листи й малюнки",
	}
}

func manifestHeader() Header {
	return Header{Kind: KindManifest, From: "UA", To: "ICRC", Ref: "UA-RU-2026-12", Seq: 1, Created: created}
}

func mustBundle(t testing.TB, k *Key, h Header, doc any) *Bundle {
	t.Helper()
	b, err := NewBundle(k, h, doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustMarshal(t testing.TB, b *Bundle) []byte {
	t.Helper()
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestBundleRoundTrip(t *testing.T) {
	p := newParties(t)
	b := mustBundle(t, p.ua, manifestHeader(), testManifest())
	var file bytes.Buffer
	if _, err := b.WriteTo(&file); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBundle(&file)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	v, err := got.Verify(p.trust, "ICRC", []string{"UA"})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	want := manifestHeader()
	if v.Kind != want.Kind || v.From != want.From || v.To != want.To || v.Ref != want.Ref || v.Seq != want.Seq || !v.Created.Equal(want.Created) {
		t.Errorf("header: got %+v, want %+v", v.Header, want)
	}
	if len(v.Signers) != 1 || v.Signers[0] != (Signer{Party: "UA", KeyID: p.ua.ID()}) {
		t.Errorf("signers: got %+v, want UA %s", v.Signers, p.ua.ID())
	}
	var m manifest
	if err := v.Decode(&m); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if m.Consignment != "UA-RU-2026-12" || len(m.Parcels) != 2 || m.Parcels[0] != testManifest().Parcels[0] || m.Note != testManifest().Note || m.Period != testManifest().Period {
		t.Errorf("decoded: got %+v, want %+v", m, testManifest())
	}
	var narrow struct {
		Consignment string `json:"consignment"`
	}
	if err := v.Decode(&narrow); !errors.Is(err, ErrMalformed) {
		t.Errorf("decode into a struct without every field: got %v, want ErrMalformed", err)
	}
	if len(v.Digest()) != 64 {
		t.Errorf("digest: got %q, want 64 hex characters", v.Digest())
	}
	again, err := ReadBundle(bytes.NewReader(mustMarshal(t, b)))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := again.Verify(p.trust, "ICRC", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Digest() != v.Digest() {
		t.Errorf("digest of the same bundle: got %s, want %s", v2.Digest(), v.Digest())
	}
}

// TestHandoverReceiptFlow follows a receipt: the intermediary signs it for
// the receiving party, copied to the sender; the receiving party checks and
// countersigns it; the intermediary and the sender accept the result.
func TestHandoverReceiptFlow(t *testing.T) {
	p := newParties(t)
	receipt := map[string]any{"consignment": "UA-RU-2026-12", "expected": 2000, "scanned": 1998, "missing": []string{"RR123456785UA", "RR123456799UA"}}
	h := Header{Kind: KindHandoverReceipt, From: "ICRC", To: "RU", Cc: []string{"UA"}, Ref: "UA-RU-2026-12", Seq: 3, Created: created}
	b := mustBundle(t, p.icrc, h, receipt)

	atRU, err := ReadBundle(bytes.NewReader(mustMarshal(t, b)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := atRU.Verify(p.trust, "RU", []string{"ICRC"}); err != nil {
		t.Fatalf("RU verifies the intermediary's receipt: %v", err)
	}
	if err := atRU.Countersign(p.ru); err != nil {
		t.Fatal(err)
	}
	if err := atRU.Countersign(p.ru); !errors.Is(err, ErrAlreadySigned) || !errs.Is(err, errs.Conflict) {
		t.Errorf("countersign twice: got %v, want ErrAlreadySigned", err)
	}
	signed := mustMarshal(t, atRU)

	for _, self := range []string{"ICRC", "UA", "RU"} {
		back, err := ReadBundle(bytes.NewReader(signed))
		if err != nil {
			t.Fatal(err)
		}
		v, err := back.Verify(p.trust, self, []string{"ICRC", "RU"})
		if err != nil {
			t.Fatalf("%s verifies the countersigned receipt: %v", self, err)
		}
		if !v.SignedBy("ICRC") || !v.SignedBy("RU") || v.SignedBy("UA") {
			t.Errorf("%s: signers %+v, want ICRC and RU", self, v.Signers)
		}
		var got struct {
			Consignment string   `json:"consignment"`
			Expected    int      `json:"expected"`
			Scanned     int      `json:"scanned"`
			Missing     []string `json:"missing"`
		}
		if err := v.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Scanned != 1998 || len(got.Missing) != 2 {
			t.Errorf("%s: decoded %+v", self, got)
		}
	}
}

func TestCheckOrder(t *testing.T) {
	v := &Verified{Header: Header{Ref: "UA-RU-2026-12", Seq: 3}}
	tests := []struct {
		last int64
		want error
	}{{0, nil}, {2, nil}, {3, ErrOutOfOrder}, {4, ErrOutOfOrder}}
	for _, tt := range tests {
		if err := v.CheckOrder(tt.last); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("step 3 after %d: got %v, want %v", tt.last, err, tt.want)
		}
	}
}

func TestNewBundleInvalid(t *testing.T) {
	p := newParties(t)
	tests := []struct {
		name  string
		edit  func(*Header)
		field string
	}{
		{"unknown kind", func(h *Header) { h.Kind = "letter" }, "kind"},
		{"no sender", func(h *Header) { h.From = "" }, "from"},
		{"bad recipient", func(h *Header) { h.To = "I C R C" }, "to"},
		{"bad copy", func(h *Header) { h.Cc = []string{"x"} }, "cc"},
		{"no ref", func(h *Header) { h.Ref = "" }, "ref"},
		{"ref with newline", func(h *Header) { h.Ref = "a\nb" }, "ref"},
		{"step zero", func(h *Header) { h.Seq = 0 }, "seq"},
		{"step too large", func(h *Header) { h.Seq = 1 << 53 }, "seq"},
		{"no time", func(h *Header) { h.Created = time.Time{} }, "created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := manifestHeader()
			tt.edit(&h)
			_, err := NewBundle(p.ua, h, testManifest())
			if _, ok := errs.FieldsOf(err)[tt.field]; !ok || !errs.Is(err, errs.Invalid) {
				t.Errorf("got %v, want an Invalid error on field %s", err, tt.field)
			}
		})
	}
	if _, err := NewBundle(p.ua, manifestHeader(), func() {}); !errs.Is(err, errs.Invalid) {
		t.Errorf("a document that is not JSON: got %v, want an Invalid error", err)
	}
}

// reencode rebuilds a bundle file after edit changes the decoded bundle.
func reencode(t testing.TB, file []byte, edit func(b *Bundle)) []byte {
	t.Helper()
	var b Bundle
	if err := json.Unmarshal(file, &b); err != nil {
		t.Fatal(err)
	}
	edit(&b)
	return mustMarshal(t, &b)
}

// editPayload changes the decoded payload of a bundle file, keeping its signatures.
func editPayload(t testing.TB, file []byte, edit func(payload []byte) []byte) []byte {
	t.Helper()
	return reencode(t, file, func(b *Bundle) {
		payload, err := base64.StdEncoding.DecodeString(b.Envelope.Payload)
		if err != nil {
			t.Fatal(err)
		}
		b.Envelope.Payload = base64.StdEncoding.EncodeToString(edit(payload))
	})
}

// signRaw signs payload as it is, canonical or not.
func signRaw(k *Key, kind string, payload []byte) *dsse.Envelope {
	env := &dsse.Envelope{PayloadType: PayloadType(kind), Payload: base64.StdEncoding.EncodeToString(payload)}
	env.Signatures = []dsse.Signature{k.signature(env.PayloadType, payload)}
	return env
}

func TestBundleRefusals(t *testing.T) {
	p := newParties(t)
	valid := mustMarshal(t, mustBundle(t, p.ua, manifestHeader(), testManifest()))
	receipt := Header{Kind: KindHandoverReceipt, From: "ICRC", To: "RU", Ref: "UA-RU-2026-12", Seq: 3, Created: created}
	onlyICRC := mustMarshal(t, mustBundle(t, p.icrc, receipt, map[string]int{"scanned": 1998}))

	tests := []struct {
		name     string
		file     []byte
		self     string
		required []string
		want     error
		kind     errs.Kind
		message  string
	}{
		{
			name: "tampered payload byte",
			file: editPayload(t, valid, func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"weight_g":1250`), []byte(`"weight_g":1251`), 1)
			}),
			want: ErrBadSignature, message: "does not verify",
		},
		{
			name: "tampered signature",
			file: reencode(t, valid, func(b *Bundle) {
				sig, _ := base64.StdEncoding.DecodeString(b.Envelope.Signatures[0].Sig)
				sig[10] ^= 0x01
				b.Envelope.Signatures[0].Sig = base64.StdEncoding.EncodeToString(sig)
			}),
			want: ErrBadSignature, message: p.ua.ID(),
		},
		{
			name: "signature is not base64",
			file: reencode(t, valid, func(b *Bundle) { b.Envelope.Signatures[0].Sig = "not base64!" }),
			want: ErrBadSignature,
		},
		{
			name: "payload type changed",
			file: reencode(t, valid, func(b *Bundle) { b.Envelope.PayloadType = PayloadType(KindDeliveryReport) }),
			want: ErrBadSignature,
		},
		{name: "truncated file", file: valid[:len(valid)/2], want: ErrMalformed, message: "truncated"},
		{name: "truncated by one byte", file: bytes.TrimSpace(valid)[:len(bytes.TrimSpace(valid))-1], want: ErrMalformed, message: "truncated"},
		{name: "empty file", file: nil, want: ErrMalformed, message: "empty"},
		{name: "not JSON", file: []byte("lifeline bundle\n"), want: ErrMalformed},
		{name: "data after the bundle", file: append(bytes.Clone(valid), []byte("{}")...), want: ErrMalformed, message: "after its end"},
		{name: "field name in other case", file: bytes.Replace(valid, []byte(`"format"`), []byte(`"Format"`), 1), want: ErrMalformed, message: "Format"},
		{name: "field twice", file: bytes.Replace(valid, []byte(`"format"`), []byte(`"to":"RU","format"`), 1), want: ErrMalformed, message: "twice"},
		{name: "unknown field", file: bytes.Replace(valid, []byte(`"format"`), []byte(`"extra":1,"format"`), 1), want: ErrMalformed},
		{name: "other format", file: bytes.Replace(valid, []byte(BundleFormat), []byte("lifeline-bundle/2"), 1), want: ErrMalformed, message: "format"},
		{name: "no envelope", file: reencode(t, valid, func(b *Bundle) { b.Envelope = nil }), want: ErrMalformed, message: "envelope"},
		{name: "payload not base64", file: reencode(t, valid, func(b *Bundle) { b.Envelope.Payload = "%%%" }), want: ErrMalformed},
		{
			name: "payload in URL-safe or unpadded base64",
			file: reencode(t, valid, func(b *Bundle) { b.Envelope.Payload = strings.TrimRight(b.Envelope.Payload, "=") + "A" }),
			want: ErrMalformed,
		},
		{
			name: "too large",
			file: append(bytes.Clone(valid), bytes.Repeat([]byte(" "), MaxBundleSize)...),
			want: ErrTooLarge, kind: errs.TooLarge,
		},
		{
			name: "signature from an untrusted key",
			file: reencode(t, valid, func(b *Bundle) {
				b.Envelope.Signatures[0] = p.outsider.signature(b.Envelope.PayloadType, mustDecode(t, b.Envelope.Payload))
			}),
			want: ErrUnknownSigner, message: p.outsider.ID(),
		},
		{
			name: "extra signature from an untrusted key",
			file: reencode(t, valid, func(b *Bundle) {
				if err := b.Countersign(p.outsider); err != nil {
					t.Fatal(err)
				}
			}),
			want: ErrUnknownSigner, message: p.outsider.ID(),
		},
		{
			name: "bundle made by an untrusted key",
			file: mustMarshal(t, mustBundle(t, p.outsider, manifestHeader(), testManifest())),
			want: ErrUnknownSigner,
		},
		{
			name: "no signature",
			file: reencode(t, valid, func(b *Bundle) { b.Envelope.Signatures = nil }),
			want: ErrMissingSignature,
		},
		{
			name: "the same signature twice",
			file: reencode(t, valid, func(b *Bundle) { b.Envelope.Signatures = append(b.Envelope.Signatures, b.Envelope.Signatures[0]) }),
			want: ErrMalformed, message: "twice",
		},
		{name: "wrong recipient", file: valid, self: "RU", want: ErrWrongRecipient, message: "meant for ICRC"},
		{name: "missing countersignature", file: onlyICRC, self: "RU", required: []string{"ICRC", "RU"}, want: ErrMissingSignature, message: "not signed by RU"},
		{
			name: "non-canonical payload",
			file: reencode(t, valid, func(b *Bundle) {
				payload := mustDecode(t, b.Envelope.Payload)
				var x any
				if err := json.Unmarshal(payload, &x); err != nil {
					t.Fatal(err)
				}
				pretty, err := json.MarshalIndent(x, "", " ")
				if err != nil {
					t.Fatal(err)
				}
				b.Envelope = signRaw(p.ua, KindManifest, pretty)
			}),
			want: ErrNotCanonical, message: "canonical",
		},
		{name: "recipient changed in the clear", file: reencode(t, valid, func(b *Bundle) { b.To = "RU" }), self: "RU", want: ErrHeaderMismatch, message: "to"},
		{name: "sender changed in the clear", file: reencode(t, valid, func(b *Bundle) { b.From = "RU" }), want: ErrHeaderMismatch},
		{name: "step changed in the clear", file: reencode(t, valid, func(b *Bundle) { b.Seq = 2 }), want: ErrHeaderMismatch, message: "step"},
		{name: "ref changed in the clear", file: reencode(t, valid, func(b *Bundle) { b.Ref = "UA-RU-2027-01" }), want: ErrHeaderMismatch},
		{name: "time changed in the clear", file: reencode(t, valid, func(b *Bundle) { b.Created = b.Created.Add(time.Hour) }), want: ErrHeaderMismatch},
		{name: "copy added in the clear", file: reencode(t, valid, func(b *Bundle) { b.Cc = []string{"RU"} }), self: "RU", want: ErrHeaderMismatch},
		{
			name: "kind changed in the clear",
			file: reencode(t, valid, func(b *Bundle) { b.Kind = KindDeliveryReport }),
			want: ErrHeaderMismatch,
		},
		{
			name: "signed kind differs from payload type",
			file: reencode(t, valid, func(b *Bundle) {
				payload := bytes.Replace(mustDecode(t, b.Envelope.Payload), []byte(`"kind":"manifest"`), []byte(`"kind":"delivery_report"`), 1)
				b.Envelope = signRaw(p.ua, KindManifest, payload)
			}),
			want: ErrHeaderMismatch,
		},
		{
			name: "signed payload is not a bundle statement",
			file: reencode(t, valid, func(b *Bundle) { b.Envelope = signRaw(p.ua, KindManifest, []byte(`{"consignment":"x"}`)) }),
			want: ErrMalformed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			self := tt.self
			if self == "" {
				self = "ICRC"
			}
			kind := tt.kind
			if kind == "" {
				kind = errs.Invalid
			}
			_, err := readAndVerify(bytes.NewReader(tt.file), p.trust, self, tt.required)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if !errs.Is(err, kind) {
				t.Errorf("kind: got %s, want %s", errs.KindOf(err), kind)
			}
			if msg := errs.MessageOf(err); !strings.Contains(msg, tt.message) {
				t.Errorf("message: got %q, want it to contain %q", msg, tt.message)
			}
		})
	}
}

func mustDecode(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readAndVerify(r *bytes.Reader, trust TrustSet, self string, required []string) (*Verified, error) {
	b, err := ReadBundle(r)
	if err != nil {
		return nil, err
	}
	return b.Verify(trust, self, required)
}

// TestBundleEveryByteChanged changes each byte of a bundle file in turn; no
// changed file may verify.
func TestBundleEveryByteChanged(t *testing.T) {
	p := newParties(t)
	b := mustBundle(t, p.icrc, Header{Kind: KindHandoverReceipt, From: "ICRC", To: "RU", Cc: []string{"UA"}, Ref: "UA-RU-2026-12", Seq: 3, Created: created},
		map[string]any{"scanned": 2, "parcels": []string{"RR123456785UA"}})
	if err := b.Countersign(p.ru); err != nil {
		t.Fatal(err)
	}
	file := mustMarshal(t, b)
	if _, err := readAndVerify(bytes.NewReader(file), p.trust, "ICRC", []string{"ICRC", "RU"}); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	for i := range file {
		for _, flip := range []byte{0x01, 0x20} {
			changed := bytes.Clone(file)
			changed[i] ^= flip
			if _, err := readAndVerify(bytes.NewReader(changed), p.trust, "ICRC", []string{"ICRC", "RU"}); err == nil {
				t.Errorf("byte %d changed from %q to %q: the bundle still verifies", i, file[i], changed[i])
			}
		}
	}
}

func TestSignVerifyEnvelope(t *testing.T) {
	p := newParties(t)
	env, err := Sign(p.icrc, KindRepatriationRoster, map[string]any{"operation": "OP-7", "people": 124})
	if err != nil {
		t.Fatal(err)
	}
	if env.PayloadType != "application/vnd.lifeline.repatriation_roster+json" {
		t.Errorf("payload type: got %q", env.PayloadType)
	}
	if got := string(mustDecode(t, env.Payload)); got != `{"operation":"OP-7","people":124}` {
		t.Errorf("payload: got %s, want canonical JSON", got)
	}
	for _, k := range []*Key{p.ua, p.ru} {
		if err := AddSignature(env, k); err != nil {
			t.Fatal(err)
		}
	}
	signers, err := Verify(env, p.trust)
	if err != nil {
		t.Fatal(err)
	}
	want := []Signer{{"ICRC", p.icrc.ID()}, {"UA", p.ua.ID()}, {"RU", p.ru.ID()}}
	if len(signers) != len(want) {
		t.Fatalf("signers: got %+v, want %+v", signers, want)
	}
	for i := range want {
		if signers[i] != want[i] {
			t.Errorf("signer %d: got %+v, want %+v", i, signers[i], want[i])
		}
	}
	var roster struct {
		Operation string `json:"operation"`
		People    int    `json:"people"`
	}
	if err := DecodePayload(env, &roster); err != nil || roster.People != 124 {
		t.Errorf("decode: got %+v, %v", roster, err)
	}

	if _, err := Sign(p.icrc, "letter", nil); !errs.Is(err, errs.Invalid) {
		t.Errorf("unknown kind: got %v, want an Invalid error", err)
	}
	if _, err := Verify(signRaw(p.ua, KindManifest, []byte(`{"b":1, "a":2}`)), p.trust); !errors.Is(err, ErrNotCanonical) {
		t.Errorf("non-canonical payload: got %v, want ErrNotCanonical", err)
	}
	if _, err := Verify(signRaw(p.ua, KindManifest, []byte(`{"b":1,"a":2}`)), p.trust); !errors.Is(err, ErrNotCanonical) {
		t.Errorf("unsorted keys: got %v, want ErrNotCanonical", err)
	}
	odd := signRaw(p.ua, KindManifest, []byte(`{}`))
	odd.PayloadType = "application/json"
	odd.Signatures = []dsse.Signature{p.ua.signature(odd.PayloadType, []byte(`{}`))}
	if _, err := Verify(odd, p.trust); !errors.Is(err, ErrMalformed) {
		t.Errorf("foreign payload type: got %v, want ErrMalformed", err)
	}
	if _, err := Verify(nil, p.trust); !errors.Is(err, ErrMissingSignature) {
		t.Errorf("nil envelope: got %v, want ErrMissingSignature", err)
	}
	untrusted := TrustSet{}
	untrusted.Add("UA", p.ua.Public())
	_, err = Verify(env, untrusted)
	if !errors.Is(err, ErrUnknownSigner) || !strings.Contains(errs.MessageOf(err), p.icrc.ID()) {
		t.Errorf("unknown signer: got %v, want ErrUnknownSigner naming %s", err, p.icrc.ID())
	}
	// A key trusted under another key's id does not verify that key's signatures.
	swapped := TrustSet{p.icrc.ID(): {Party: "ICRC", Key: p.ua.Public()}}
	if _, err := Verify(signRaw(p.icrc, KindManifest, []byte(`{}`)), swapped); !errors.Is(err, ErrBadSignature) {
		t.Errorf("key under the wrong id: got %v, want ErrBadSignature", err)
	}
}

func TestDescribe(t *testing.T) {
	p := newParties(t)
	b := mustBundle(t, p.icrc, Header{Kind: KindHandoverReceipt, From: "ICRC", To: "RU", Cc: []string{"UA"}, Ref: "UA-RU-2026-12", Seq: 3, Created: created},
		map[string]any{
			"consignment": "UA-RU-2026-12", "expected": 2000, "scanned": 1998,
			"missing": []string{"RR123456785UA", "RR123456799UA"}, "discrepancy": map[string]any{"note": "two bags wet", "confirmed_by": 2},
			"remark": "Отримано на пункті обміну\nбез пошкоджень",
		})
	if err := b.Countersign(p.ru); err != nil {
		t.Fatal(err)
	}
	if err := b.Countersign(p.outsider); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Describe(&out, b, p.trust); err != nil {
		t.Fatal(err)
	}
	golden(t, "describe.golden", out.Bytes())

	tampered := reencode(t, mustMarshal(t, b), func(b *Bundle) {
		b.Envelope.Payload = base64.StdEncoding.EncodeToString(bytes.Replace(mustDecode(t, b.Envelope.Payload), []byte("1998"), []byte("1999"), 1))
	})
	tb, err := ReadBundle(bytes.NewReader(tampered))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := Describe(&out, tb, p.trust); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "DOES NOT VERIFY"); got != 2 {
		t.Errorf("tampered bundle: got %d signatures that do not verify, want 2:\n%s", got, out.String())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
	}
}

func FuzzReadBundle(f *testing.F) {
	p := newParties(f)
	b := mustBundle(f, p.ua, manifestHeader(), testManifest())
	valid := mustMarshal(f, b)
	wantPayload := mustDecode(f, b.Envelope.Payload)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(`{"format":"lifeline-bundle/1","kind":"manifest","envelope":{"payloadType":"x","payload":"","signatures":[]}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBundle(bytes.NewReader(data))
		if err != nil {
			if b != nil {
				t.Fatalf("ReadBundle returned a bundle and the error %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := Describe(&out, b, p.trust); err != nil {
			t.Fatalf("describe: %v", err)
		}
		v, err := b.Verify(p.trust, "ICRC", []string{"UA"})
		if err != nil {
			return
		}
		// Only UA's signed payload can verify: nothing else can be forged.
		if !bytes.Equal(v.Payload, wantPayload) {
			t.Fatalf("a payload UA never signed verified: %s", v.Payload)
		}
	})
}
