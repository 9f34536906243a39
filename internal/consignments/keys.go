package consignments

import (
	"path/filepath"
	"regexp"
	"slices"
	"sync"

	"lifeline/internal/errs"
	"lifeline/internal/sign"
)

// NodeKey loads the node's signing key, creating it on first start: keyFile
// when set (LIFELINE_KEY_FILE), else node.key in the data directory. The
// file is open to its owner only (mode 0600).
func NodeKey(dataDir, keyFile string) (*sign.Key, error) {
	if keyFile == "" {
		keyFile = filepath.Join(dataDir, "node.key")
	}
	k, err := sign.LoadOrCreateKey(keyFile)
	return k, errs.Wrap("consignments.NodeKey", err)
}

// Keyring holds the signing keys of the parties a node signs for.
//
// A node of a federated deployment acts for one party (self) and signs with
// its node key. A single node that hosts both parties and the intermediary
// (self empty) keeps one key per party, keys/<PARTY>.key in the data
// directory, so that every party still signs with a key of its own and a
// countersignature is a second key.
type Keyring struct {
	dir, file, self string

	mu   sync.Mutex
	keys map[string]*sign.Key
}

// NewKeyring returns the keyring of a node with data directory dataDir,
// node key file keyFile (empty for dataDir/node.key) acting for party self
// (empty when the node hosts every party). Keys are loaded or made on first
// use.
func NewKeyring(dataDir, keyFile, self string) *Keyring {
	return &Keyring{dir: dataDir, file: keyFile, self: self, keys: map[string]*sign.Key{}}
}

// StaticKeyring returns a keyring of keys already loaded, one per party;
// tests and benchmarks use it.
func StaticKeyring(self string, keys map[string]*sign.Key) *Keyring {
	r := &Keyring{self: self, keys: map[string]*sign.Key{}}
	for p, k := range keys {
		r.keys[p] = k
	}
	return r
}

// Self returns the party the node acts for, or "" for a node that hosts
// every party.
func (r *Keyring) Self() string { return r.self }

var keyParty = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,7}$`)

// Key returns the signing key of party. A federated node refuses to sign
// for any party but its own.
func (r *Keyring) Key(party string) (*sign.Key, error) {
	const op = "consignments.Keyring.Key"
	if r == nil {
		return nil, errs.E(op, errs.Internal, "this node has no signing keys configured")
	}
	if r.self != "" && party != r.self {
		return nil, errs.E(op, errs.Forbidden, "this node signs for %s only, not for %s", r.self, party)
	}
	if !keyParty.MatchString(party) {
		return nil, errs.E(op, errs.Invalid, "no party to sign for")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := r.keys[party]; ok {
		return k, nil
	}
	if r.dir == "" && r.file == "" {
		return nil, errs.E(op, errs.Forbidden, "this node holds no key of %s", party)
	}
	var k *sign.Key
	var err error
	if r.self != "" {
		k, err = NodeKey(r.dir, r.file)
	} else {
		k, err = sign.LoadOrCreateKey(filepath.Join(r.dir, "keys", party+".key"))
	}
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	r.keys[party] = k
	return k, nil
}

// AddOwn adds to trust the keys this node holds for the given parties: a
// node trusts its own signatures.
func (r *Keyring) AddOwn(trust sign.TrustSet, parties ...string) error {
	if r == nil {
		return nil
	}
	if r.self != "" {
		parties = []string{r.self}
	}
	slices.Sort(parties)
	for _, p := range slices.Compact(parties) {
		k, err := r.Key(p)
		if err != nil {
			return err
		}
		trust.Add(p, k.Public())
	}
	return nil
}
