package tlog

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"lifeline/internal/errs"
)

// InclusionProof proves that Entry is entry Index of the tree of size
// TreeSize. Its JSON form is what `lifeline verify inclusion` reads.
type InclusionProof struct {
	Index    int64            `json:"index"`
	TreeSize int64            `json:"tree_size"`
	Entry    []byte           `json:"entry"`
	Proof    tlog.RecordProof `json:"proof"`
}

// ConsistencyProof proves that the tree of size Old is a prefix of the tree
// of size New.
type ConsistencyProof struct {
	Old   int64          `json:"old"`
	New   int64          `json:"new"`
	Proof tlog.TreeProof `json:"proof"`
}

// zeroReader answers any hash request with zero hashes: it measures how long
// a correct proof is.
type zeroReader struct{}

func (zeroReader) ReadHashes(ids []int64) ([]tlog.Hash, error) {
	return make([]tlog.Hash, len(ids)), nil
}

// VerifyInclusion checks p against the checkpoint and returns the entry.
func VerifyInclusion(cp *Checkpoint, p *InclusionProof) (*Entry, error) {
	const op = "tlog.VerifyInclusion"
	if p.TreeSize != cp.Size {
		return nil, errs.E(op, errs.Invalid, "the proof is for a tree of %d entries, the checkpoint has %d", p.TreeSize, cp.Size)
	}
	if p.Index < 0 || p.Index >= cp.Size {
		return nil, errs.E(op, errs.Invalid, "entry %d is not in a tree of %d entries", p.Index, cp.Size)
	}
	want, _ := tlog.ProveRecord(cp.Size, p.Index, zeroReader{})
	if len(p.Proof) != len(want) {
		return nil, errs.E(op, errs.Invalid, "the inclusion proof of entry %d has %d hashes, want %d: it is truncated or padded", p.Index, len(p.Proof), len(want))
	}
	if err := tlog.CheckRecord(p.Proof, cp.Size, cp.Hash, p.Index, tlog.RecordHash(p.Entry)); err != nil {
		return nil, errs.E(op, errs.Invalid, "entry %d is not in the log at this checkpoint: the inclusion proof does not lead to the checkpoint's root hash", p.Index)
	}
	e, err := ParseEntry(p.Entry)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return e, nil
}

// VerifyConsistency checks that the log of checkpoint old is a prefix of the
// log of checkpoint new.
func VerifyConsistency(old, new *Checkpoint, proof tlog.TreeProof) error {
	const op = "tlog.VerifyConsistency"
	if old.Origin != new.Origin {
		return errs.E(op, errs.Invalid, "the checkpoints are of different logs: %q and %q", old.Origin, new.Origin)
	}
	if old.Size > new.Size {
		return errs.E(op, errs.Invalid, "the old checkpoint has %d entries, more than the new one (%d)", old.Size, new.Size)
	}
	if old.Size == 0 {
		return nil
	}
	if old.Size == new.Size {
		if old.Hash != new.Hash {
			return errs.E(op, errs.Invalid, "two checkpoints of %d entries with different root hashes: the log was rewritten", old.Size)
		}
		return nil
	}
	want, _ := tlog.ProveTree(new.Size, old.Size, zeroReader{})
	if len(proof) != len(want) {
		return errs.E(op, errs.Invalid, "the consistency proof has %d hashes, want %d: it is truncated or padded", len(proof), len(want))
	}
	if err := tlog.CheckTree(proof, new.Size, new.Hash, old.Size, old.Hash); err != nil {
		return errs.E(op, errs.Invalid, "the log of %d entries is not an extension of the log of %d entries: the history was rewritten", new.Size, old.Size)
	}
	return nil
}

// tileReader reads tiles from a Source for tlog.TileHashReader.
type tileReader struct {
	ctx context.Context
	src Source
}

func (r tileReader) Height() int { return TileHeight }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := readTile(r.ctx, r.src, t)
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, errs.E("tlog.ReadTiles", errs.Invalid, "tile %s has %d bytes, want %d", tileName(t), len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// readTile reads tile t, or the full tile when the partial one is gone
// because the log has grown, cut to t's width. An entry bundle is returned
// whole; splitBundle cuts it.
func readTile(ctx context.Context, src Source, t tlog.Tile) ([]byte, error) {
	data, err := src.ReadFile(ctx, tileName(t))
	if err == nil || !errs.Is(err, errs.NotFound) || t.W == 1<<TileHeight {
		return data, err
	}
	full := t
	full.W = 1 << TileHeight
	data, err = src.ReadFile(ctx, tileName(full))
	if err != nil {
		return nil, err
	}
	if t.L >= 0 && len(data) >= t.W*tlog.HashSize {
		data = data[:t.W*tlog.HashSize]
	}
	return data, nil
}

// splitBundle splits an entry bundle into exactly w entries.
func splitBundle(name string, data []byte, w int) ([][]byte, error) {
	const op = "tlog.splitBundle"
	out := make([][]byte, 0, w)
	for len(out) < w {
		if len(data) < 2 {
			return nil, errs.E(op, errs.Invalid, "entry bundle %s is truncated: it has %d entries, want %d", name, len(out), w)
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errs.E(op, errs.Invalid, "entry bundle %s is truncated in entry %d", name, len(out))
		}
		out = append(out, data[2:2+n])
		data = data[2+n:]
	}
	return out, nil
}

// readEntries reads entries [lo, hi) of a log of size n, within one bundle.
func readEntries(ctx context.Context, src Source, k int64, size int64) ([][]byte, error) {
	t := tlog.Tile{H: TileHeight, L: -1, N: k, W: int(min(size-k<<TileHeight, 1<<TileHeight))}
	data, err := readTile(ctx, src, t)
	if err != nil {
		return nil, err
	}
	return splitBundle(tileName(t), data, t.W)
}

// authError explains a failure of tlog.TileHashReader.
func authError(op string, err error) error {
	if k := errs.KindOf(err); k == errs.NotFound || k == errs.Invalid {
		return errs.Wrap(op, err)
	}
	return errs.E(op, errs.Invalid, "the tiles do not match the checkpoint: a tile was changed or the checkpoint is forged (%v)", err)
}

// ProveInclusion builds the inclusion proof of entry index in the tree of
// checkpoint cp, reading only tiles from src.
func ProveInclusion(ctx context.Context, src Source, cp *Checkpoint, index int64) (*InclusionProof, error) {
	const op = "tlog.ProveInclusion"
	if index < 0 || index >= cp.Size {
		return nil, errs.E(op, errs.Invalid, "entry %d is not in a tree of %d entries", index, cp.Size)
	}
	proof, err := tlog.ProveRecord(cp.Size, index, tlog.TileHashReader(cp.Tree(), tileReader{ctx, src}))
	if err != nil {
		return nil, authError(op, err)
	}
	entries, err := readEntries(ctx, src, index>>TileHeight, cp.Size)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return &InclusionProof{Index: index, TreeSize: cp.Size, Entry: entries[index%(1<<TileHeight)], Proof: proof}, nil
}

// ProveConsistency builds the proof that old is a prefix of new, reading only
// tiles of new from src.
func ProveConsistency(ctx context.Context, src Source, old, new *Checkpoint) (tlog.TreeProof, error) {
	const op = "tlog.ProveConsistency"
	if old.Size > new.Size {
		return nil, errs.E(op, errs.Invalid, "the old checkpoint has %d entries, more than the new one (%d)", old.Size, new.Size)
	}
	if old.Size == 0 || old.Size == new.Size {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(new.Size, old.Size, tlog.TileHashReader(new.Tree(), tileReader{ctx, src}))
	if err != nil {
		return nil, authError(op, err)
	}
	return p, nil
}

// ProveInclusion builds, from the node's database, the proof that entry
// index is in the tree of the given size.
func (l *Log) ProveInclusion(ctx context.Context, db DBTX, index, size int64) (*InclusionProof, error) {
	const op = "tlog.Log.ProveInclusion"
	if index < 0 || index >= size {
		return nil, errs.E(op, errs.Invalid, "entry %d is not in a tree of %d entries", index, size)
	}
	if n, err := Size(ctx, db); err != nil {
		return nil, errs.Wrap(op, err)
	} else if size > n {
		return nil, errs.E(op, errs.NotFound, "the log has only %d entries", n)
	}
	proof, err := tlog.ProveRecord(size, index, dbReader{ctx, db})
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	var data []byte
	if err := db.QueryRowContext(ctx, `SELECT data FROM tlog_entries WHERE idx = $1`, index).Scan(&data); err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return &InclusionProof{Index: index, TreeSize: size, Entry: data, Proof: proof}, nil
}

// ProveConsistency builds, from the node's database, the proof that the tree
// of size old is a prefix of the tree of size new.
func (l *Log) ProveConsistency(ctx context.Context, db DBTX, old, new int64) (tlog.TreeProof, error) {
	const op = "tlog.Log.ProveConsistency"
	if old < 0 || old > new {
		return nil, errs.E(op, errs.Invalid, "no consistency proof from %d to %d entries", old, new)
	}
	if old == 0 || old == new {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(new, old, dbReader{ctx, db})
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	return p, nil
}

// Stat is one line of an audit's statistics: the entries of one event type,
// acting party, other party, unit and month, and the sum of their counts.
type Stat struct {
	Type    string `json:"type"`
	Party   string `json:"party"`
	Peer    string `json:"peer,omitempty"`
	Unit    string `json:"unit,omitempty"`
	Month   string `json:"month"`
	Entries int    `json:"entries"`
	Count   int    `json:"count"`
}

// AuditReport is what an audit found: the verified checkpoint, and the
// statistics recounted from every entry.
type AuditReport struct {
	Checkpoint *Checkpoint
	Entries    int64
	Tiles      int
	Stats      []Stat // sorted by month, type, party, peer, unit
}

// Total sums the counts of the entries that match: an empty argument
// matches anything. Total(Delivered, "", "UA", "2024-12") is the parcels (or
// whatever the unit) delivered to party UA in December 2024 when the
// delivering party logs UA as its peer.
func (r *AuditReport) Total(typ, party, peer, month string) int {
	n := 0
	for _, s := range r.Stats {
		if (typ == "" || s.Type == typ) && (party == "" || s.Party == party) &&
			(peer == "" || s.Peer == peer) && (month == "" || s.Month == month) {
			n += s.Count
		}
	}
	return n
}

// memReader reads stored hashes from a slice indexed by stored hash index.
type memReader []tlog.Hash

func (m *memReader) ReadHashes(ids []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ids))
	for i, id := range ids {
		if id < 0 || id >= int64(len(*m)) {
			return nil, fmt.Errorf("hash %d not computed", id)
		}
		out[i] = (*m)[id]
	}
	return out, nil
}

// Audit reads the whole log from src: it verifies the checkpoint (trusted
// signatures, quorum, and origin unless it is empty), reads every entry,
// recomputes the tree and checks it against the checkpoint, checks every
// hash tile against the recomputed tree, and recounts the statistics.
func Audit(ctx context.Context, src Source, origin string, verifiers note.Verifiers, quorum int) (*AuditReport, error) {
	const op = "tlog.Audit"
	msg, err := src.ReadFile(ctx, "checkpoint")
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	cp, err := VerifyCheckpoint(msg, origin, verifiers, quorum)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	rep := &AuditReport{Checkpoint: cp, Entries: cp.Size}
	hashes := make(memReader, 0, tlog.StoredHashCount(cp.Size))
	leaves := make([]tlog.Hash, 0, cp.Size)
	stats := map[Stat]*Stat{}
	for k := int64(0); k<<TileHeight < cp.Size; k++ {
		entries, err := readEntries(ctx, src, k, cp.Size)
		if err != nil {
			return nil, errs.Wrap(op, err)
		}
		for j, data := range entries {
			n := k<<TileHeight + int64(j)
			e, err := ParseEntry(data)
			if err != nil {
				return nil, errs.E(op, errs.Invalid, "entry %d is not a valid log entry: %s", n, errs.MessageOf(err))
			}
			key := Stat{Type: e.Type, Party: e.Party, Peer: e.Peer, Unit: e.Unit, Month: e.Month()}
			s := stats[key]
			if s == nil {
				s = &key
				stats[key] = s
			}
			s.Entries++
			s.Count += e.Count
			leaf := tlog.RecordHash(data)
			leaves = append(leaves, leaf)
			hs, err := tlog.StoredHashesForRecordHash(n, leaf, &hashes)
			if err != nil {
				return nil, errs.WrapKind(op, errs.Internal, err)
			}
			hashes = append(hashes, hs...)
		}
	}
	root, err := tlog.TreeHash(cp.Size, &hashes)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if root != cp.Hash {
		return nil, errs.Wrap(op, diagnose(ctx, src, cp, leaves))
	}
	// Every hash tile must be the one the entries make.
	for L := 0; cp.Size>>(TileHeight*L) > 0; L++ {
		count := cp.Size >> (TileHeight * L)
		for k := int64(0); k<<TileHeight < count; k++ {
			t := tlog.Tile{H: TileHeight, L: L, N: k, W: int(min(count-k<<TileHeight, 1<<TileHeight))}
			got, err := readTile(ctx, src, t)
			if err != nil {
				return nil, errs.Wrap(op, err)
			}
			want, err := tlog.ReadTileData(t, &hashes)
			if err != nil {
				return nil, errs.WrapKind(op, errs.Internal, err)
			}
			if !bytes.Equal(got, want) {
				return nil, errs.E(op, errs.Invalid, "tile %s differs from the tile recomputed from the entries: it was changed", tileName(t))
			}
			rep.Tiles++
		}
	}
	for _, s := range stats {
		rep.Stats = append(rep.Stats, *s)
	}
	sort.Slice(rep.Stats, func(i, j int) bool {
		a, b := rep.Stats[i], rep.Stats[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Party != b.Party {
			return a.Party < b.Party
		}
		if a.Peer != b.Peer {
			return a.Peer < b.Peer
		}
		return a.Unit < b.Unit
	})
	return rep, nil
}

// diagnose explains why the entries do not make the checkpoint's root hash:
// it compares them with the leaf hashes of the tiles, which it first
// authenticates against the checkpoint.
func diagnose(ctx context.Context, src Source, cp *Checkpoint, leaves []tlog.Hash) error {
	const op = "tlog.Audit"
	ids := make([]int64, len(leaves))
	for i := range ids {
		ids[i] = tlog.StoredHashIndex(0, int64(i))
	}
	want, err := tlog.TileHashReader(cp.Tree(), tileReader{ctx, src}).ReadHashes(ids)
	if err != nil {
		return authError(op, err)
	}
	at := make(map[tlog.Hash]int, len(want))
	for i, h := range want {
		at[h] = i
	}
	for i, h := range leaves {
		if h == want[i] {
			continue
		}
		if j, ok := at[h]; ok {
			return errs.E(op, errs.Invalid, "entries served out of order: the entry at position %d belongs at position %d", i, j)
		}
		return errs.E(op, errs.Invalid, "entry %d does not match the log: it was changed", i)
	}
	return errs.E(op, errs.Invalid, "the entries do not make the checkpoint's root hash")
}

// Mirror copies the log of src's current checkpoint (not verified here: run
// Audit on the copy) into dir, in the same layout as served, for offline
// verification. It returns the size of the copied tree.
func Mirror(ctx context.Context, src Source, dir string) (int64, error) {
	const op = "tlog.Mirror"
	msg, err := src.ReadFile(ctx, "checkpoint")
	if err != nil {
		return 0, errs.Wrap(op, err)
	}
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return 0, errs.E(op, errs.Invalid, "the checkpoint is not a signed note")
	}
	_, size, _, err := parseCheckpoint(string(msg[:i+1]))
	if err != nil {
		return 0, errs.E(op, errs.Invalid, "%v", err)
	}
	write := func(name string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return errs.WrapKind(op, errs.Internal, err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return errs.WrapKind(op, errs.Internal, err)
		}
		return nil
	}
	for L := -1; size>>(TileHeight*max(L, 0)) > 0; L++ {
		count := size >> (TileHeight * max(L, 0))
		for k := int64(0); k<<TileHeight < count; k++ {
			t := tlog.Tile{H: TileHeight, L: L, N: k, W: int(min(count-k<<TileHeight, 1<<TileHeight))}
			data, err := readTile(ctx, src, t)
			if err != nil {
				return 0, errs.Wrap(op, err)
			}
			if L == -1 {
				entries, err := splitBundle(tileName(t), data, t.W)
				if err != nil {
					return 0, errs.Wrap(op, err)
				}
				data = data[:0:0]
				for _, e := range entries {
					data = binary.BigEndian.AppendUint16(data, uint16(len(e)))
					data = append(data, e...)
				}
			}
			if err := write(tileName(t), data); err != nil {
				return 0, err
			}
		}
	}
	if err := write("checkpoint", msg); err != nil {
		return 0, err
	}
	return size, nil
}
