package blob

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"lifeline/internal/errs"
	"lifeline/internal/store"
)

// Backend keeps blobs by key. q is the caller's transaction or pool: the
// database backend writes in it, so a blob stored in the database commits
// or rolls back with the rows that refer to it; the folder backend ignores
// it.
type Backend interface {
	// Put stores data under key (its SHA-256); created is false when the
	// blob was there already.
	Put(ctx context.Context, q store.DBTX, key string, data []byte) (created bool, err error)
	// Get returns the blob; errs.NotFound when there is none.
	Get(ctx context.Context, q store.DBTX, key string) ([]byte, error)
	// Delete removes the blob; no error when there is none.
	Delete(ctx context.Context, q store.DBTX, key string) error
	// Name is "dir" or "db".
	Name() string
}

var keyRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func checkKey(op, key string, data []byte) error {
	if !keyRE.MatchString(key) {
		return errs.E(op, errs.Invalid, "not a blob key")
	}
	if data != nil && Key(data) != key {
		return errs.E(op, errs.Invalid, "the key is not the SHA-256 of the data")
	}
	return nil
}

// Dir keeps blobs as files in a folder: root/ab/cd/abcd….
type Dir struct{ root string }

// NewDir returns a folder backend rooted at root, creating it when missing.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, errs.WrapKind("blob.NewDir", errs.Internal, err)
	}
	return &Dir{root: root}, nil
}

// Name returns "dir".
func (d *Dir) Name() string { return "dir" }

func (d *Dir) path(key string) string {
	return filepath.Join(d.root, key[0:2], key[2:4], key)
}

// Put writes data to a temporary file and renames it into place, so a
// blob file is never seen half written.
func (d *Dir) Put(_ context.Context, _ store.DBTX, key string, data []byte) (bool, error) {
	const op = "blob.Dir.Put"
	if err := checkKey(op, key, data); err != nil {
		return false, err
	}
	p := d.path(key)
	if _, err := os.Stat(p); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return false, errs.WrapKind(op, errs.Internal, err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return false, errs.WrapKind(op, errs.Internal, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return false, errs.WrapKind(op, errs.Internal, err)
	}
	return true, nil
}

// Get reads a blob and checks it against its key.
func (d *Dir) Get(_ context.Context, _ store.DBTX, key string) ([]byte, error) {
	const op = "blob.Dir.Get"
	if err := checkKey(op, key, nil); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.E(op, errs.NotFound, "no such blob")
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if Key(b) != key {
		return nil, errs.E(op, errs.Internal, "blob %s is damaged", key[:12])
	}
	return b, nil
}

// Delete removes a blob file.
func (d *Dir) Delete(_ context.Context, _ store.DBTX, key string) error {
	const op = "blob.Dir.Delete"
	if err := checkKey(op, key, nil); err != nil {
		return err
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return errs.WrapKind(op, errs.Internal, err)
	}
	return nil
}

// Table keeps blobs in the blobs table of the database (--blobs db), so
// that a PostgreSQL deployment is one system to back up.
type Table struct{}

// Name returns "db".
func (Table) Name() string { return "db" }

// Put inserts the blob unless it is there already.
func (Table) Put(ctx context.Context, q store.DBTX, key string, data []byte) (bool, error) {
	const op = "blob.Table.Put"
	if err := checkKey(op, key, data); err != nil {
		return false, err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO blobs (key, size, data) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
		key, int64(len(data)), data)
	if err != nil {
		return false, errs.WrapKind(op, errs.Internal, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, errs.WrapKind(op, errs.Internal, err)
	}
	return n == 1, nil
}

// Get reads a blob and checks it against its key.
func (Table) Get(ctx context.Context, q store.DBTX, key string) ([]byte, error) {
	const op = "blob.Table.Get"
	if err := checkKey(op, key, nil); err != nil {
		return nil, err
	}
	var b []byte
	err := q.QueryRowContext(ctx, `SELECT data FROM blobs WHERE key = $1`, key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(op, errs.NotFound, "no such blob")
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	if Key(b) != key {
		return nil, errs.E(op, errs.Internal, "blob %s is damaged", key[:12])
	}
	return b, nil
}

// Delete removes a blob row.
func (Table) Delete(ctx context.Context, q store.DBTX, key string) error {
	const op = "blob.Table.Delete"
	if err := checkKey(op, key, nil); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM blobs WHERE key = $1`, key); err != nil {
		return errs.WrapKind(op, errs.Internal, err)
	}
	return nil
}

// Open returns the backend named kind: "dir" (a folder under dataDir) or
// "db" (the database).
func Open(kind, dataDir string) (Backend, error) {
	switch kind {
	case "", "dir":
		return NewDir(filepath.Join(dataDir, "blobs"))
	case "db":
		return Table{}, nil
	}
	return nil, errs.E("blob.Open", errs.Invalid, "--blobs must be dir or db, not %q", kind)
}
