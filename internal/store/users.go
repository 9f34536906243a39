package store

import (
	"context"
	"database/sql"
	"regexp"
	"time"

	"lifeline/internal/auth"
	"lifeline/internal/errs"
	"lifeline/internal/registry"
)

// User is an account.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	PartyCode string    `json:"party"`
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	hash      string
}

var userName = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)

// CreateUser adds a user with an argon2id hash of password.
func (tx *Tx) CreateUser(ctx context.Context, a Actor, u *User, password string) error {
	const op = "store.CreateUser"
	f := map[string]string{}
	if !userName.MatchString(u.Name) {
		f["name"] = "2 to 32 lowercase letters, digits, . _ or -, starting with a letter"
	}
	if _, err := auth.ParseRole(string(u.Role)); err != nil {
		f["role"] = errs.MessageOf(err)
	}
	if err := auth.CheckPassword(password); err != nil {
		f["password"] = errs.FieldsOf(err)["password"]
	}
	if len(f) > 0 {
		return errs.Fields(op, f)
	}
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM parties WHERE code = $1`, u.PartyCode).Scan(&kind); err != nil {
		if err == sql.ErrNoRows {
			return errs.Fields(op, map[string]string{"party": "no party with this code"})
		}
		return mapErr(op, err)
	}
	if u.Role == auth.Delegate && kind != string(registry.Intermediary) {
		return errs.Fields(op, map[string]string{"role": "delegates are staff of the intermediary"})
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO users (name, role, party_code, password_hash, lang, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.Name, u.Role, u.PartyCode, hash, u.Lang, tx.now).Scan(&u.ID)
	if err != nil {
		err = mapErr(op, err)
		if errs.Is(err, errs.Conflict) {
			return errs.Fields(op, map[string]string{"name": "a user with this name exists"})
		}
		return err
	}
	u.CreatedAt = tx.now
	return tx.Event(ctx, a, "user", u.ID, "created", map[string]string{"role": string(u.Role), "party": u.PartyCode})
}

const userCols = `id, name, role, party_code, lang, created_at, password_hash`

func scanUser(s interface{ Scan(...any) error }) (*User, error) {
	var u User
	if err := s.Scan(&u.ID, &u.Name, &u.Role, &u.PartyCode, &u.Lang, &u.CreatedAt, &u.hash); err != nil {
		if err == sql.ErrNoRows {
			return nil, errs.E("store.User", errs.NotFound, "no such user")
		}
		return nil, mapErr("store.User", err)
	}
	return &u, nil
}

// UserByName returns a user.
func (db *DB) UserByName(ctx context.Context, name string) (*User, error) {
	return scanUser(db.read.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = $1`, name))
}

// Users lists users; party "" lists all.
func (db *DB) Users(ctx context.Context, party string) ([]*User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE ($1 = '' OR party_code = $1) ORDER BY party_code, name`, party)
	if err != nil {
		return nil, mapErr("store.Users", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, mapErr("store.Users", rows.Err())
}

// SetUserLang stores the user's language choice.
func (db *DB) SetUserLang(ctx context.Context, userID int64, lang string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET lang = $1 WHERE id = $2`, lang, userID)
		return mapErr("store.SetUserLang", err)
	})
}

// principal builds the principal of a user.
func (db *DB) principal(ctx context.Context, u *User) (*auth.Principal, error) {
	p, err := db.Party(ctx, u.PartyCode)
	if err != nil {
		return nil, err
	}
	return &auth.Principal{UserID: u.ID, Name: u.Name, Role: u.Role, Party: u.PartyCode, Intermediary: p.Kind == registry.Intermediary, Lang: u.Lang}, nil
}

// LoginLimits bound password guessing.
type LoginLimits struct {
	Window    time.Duration // how far back failures count
	PerName   int           // failures for one login name in the window
	PerClient int           // failures from one client in the window
}

// DefaultLoginLimits are 5 failures per name and 20 per client in 15 minutes.
var DefaultLoginLimits = LoginLimits{Window: 15 * time.Minute, PerName: 5, PerClient: 20}

// Login checks a name and password for client (a keyed hash of the
// caller's address). A wrong name and a wrong password get the same
// answer, after the same work. Every attempt is recorded; after too many
// failures for the name or from the client, the answer is RateLimited
// whatever the password.
func (db *DB) Login(ctx context.Context, client, name, password string) (*auth.Principal, error) {
	const op = "store.Login"
	lim := DefaultLoginLimits
	var user *User
	var result error
	err := db.Tx(ctx, func(tx *Tx) error {
		since := tx.now.Add(-lim.Window)
		var byName, byClient int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM login_attempts WHERE name = $1 AND at >= $2 AND result <> 'ok'`, name, since).Scan(&byName); err != nil {
			return mapErr(op, err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM login_attempts WHERE client = $1 AND at >= $2 AND result <> 'ok'`, client, since).Scan(&byClient); err != nil {
			return mapErr(op, err)
		}
		outcome := "ok"
		switch {
		case byName >= lim.PerName || byClient >= lim.PerClient:
			outcome = "limited"
			result = errs.E(op, errs.RateLimited, "too many failed logins; try again in %d minutes", int(lim.Window/time.Minute))
		default:
			u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = $1`, name))
			hash := dummyHash
			if err == nil {
				hash = u.hash
			} else if !errs.Is(err, errs.NotFound) {
				return err
			}
			if !auth.VerifyPassword(hash, password) || u == nil {
				outcome = "wrong"
				result = errs.E(op, errs.Unauthenticated, "wrong name or password")
				break
			}
			user = u
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (name, client, result, at) VALUES ($1, $2, $3, $4)`, name, client, outcome, tx.now)
		return mapErr(op, err)
	})
	if err != nil {
		return nil, err
	}
	if result != nil {
		return nil, result
	}
	return db.principal(ctx, user)
}

// dummyHash makes a login for an unknown user cost what a real one costs.
var dummyHash, _ = auth.HashPassword("not a real password at all")

// SessionTTL is how long a UI session lasts.
const SessionTTL = 12 * time.Hour

// CreateSession starts a session and returns its secret id and CSRF token.
func (db *DB) CreateSession(ctx context.Context, userID int64) (id, csrf string, err error) {
	id, csrf = auth.NewSecret("s_"), auth.NewSecret("")
	err = db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, tx.now); err != nil {
			return mapErr("store.CreateSession", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			auth.HashSecret(id), userID, csrf, tx.now, tx.now.Add(SessionTTL))
		return mapErr("store.CreateSession", err)
	})
	return id, csrf, err
}

// Session returns the principal and CSRF token of a live session.
func (db *DB) Session(ctx context.Context, id string) (*auth.Principal, string, error) {
	var csrf string
	var expires time.Time
	row := db.read.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.party_code, u.lang, u.created_at, u.password_hash, s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`, auth.HashSecret(id))
	var u User
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PartyCode, &u.Lang, &u.CreatedAt, &u.hash, &csrf, &expires); err != nil {
		if err == sql.ErrNoRows {
			return nil, "", errs.E("store.Session", errs.Unauthenticated, "no session")
		}
		return nil, "", mapErr("store.Session", err)
	}
	if db.Now().After(expires) {
		return nil, "", errs.E("store.Session", errs.Unauthenticated, "the session has expired")
	}
	p, err := db.principal(ctx, &u)
	return p, csrf, err
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, auth.HashSecret(id))
		return mapErr("store.DeleteSession", err)
	})
}

// CreateToken makes an API token for a user and returns it; only its hash
// is stored.
func (db *DB) CreateToken(ctx context.Context, a Actor, userName string) (string, error) {
	u, err := db.UserByName(ctx, userName)
	if err != nil {
		return "", err
	}
	tok := auth.NewSecret("ll_")
	err = db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, created_at) VALUES ($1, $2, $3)`, auth.HashSecret(tok), u.ID, tx.now); err != nil {
			return mapErr("store.CreateToken", err)
		}
		return tx.Event(ctx, a, "user", u.ID, "token_created", nil)
	})
	return tok, err
}

// TokenPrincipal returns the principal of an API token.
func (db *DB) TokenPrincipal(ctx context.Context, token string) (*auth.Principal, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.party_code, u.lang, u.created_at, u.password_hash
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, auth.HashSecret(token)))
	if err != nil {
		return nil, errs.E("store.TokenPrincipal", errs.Unauthenticated, "the token is not valid")
	}
	return db.principal(ctx, u)
}

// ---- idempotency

// IdempotentResponse is a stored answer to a POST with an Idempotency-Key.
type IdempotentResponse struct {
	RequestHash string
	Status      int // 0 while the first request is still running
	Body        string
}

// ClaimIdempotencyKey reserves key for a user. It returns the stored
// response when the key was used before.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, userID int64, key, reqHash string) (*IdempotentResponse, error) {
	var prior *IdempotentResponse
	err := db.Tx(ctx, func(tx *Tx) error {
		var r IdempotentResponse
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, body FROM idempotency WHERE user_id = $1 AND key = $2`, userID, key).Scan(&r.RequestHash, &r.Status, &r.Body)
		if err == nil {
			prior = &r
			return nil
		}
		if err != sql.ErrNoRows {
			return mapErr("store.ClaimIdempotencyKey", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at) VALUES ($1, $2, $3, 0, '', $4)`,
			userID, key, reqHash, tx.now)
		return mapErr("store.ClaimIdempotencyKey", err)
	})
	return prior, err
}

// FinishIdempotencyKey stores the response for a claimed key, or releases
// the key when the request failed (so that it can be retried).
func (db *DB) FinishIdempotencyKey(ctx context.Context, userID int64, key string, status int, body string) error {
	return db.Tx(ctx, func(tx *Tx) error {
		var err error
		if status >= 200 && status < 300 {
			_, err = tx.ExecContext(ctx, `UPDATE idempotency SET status = $1, body = $2 WHERE user_id = $3 AND key = $4`, status, body, userID, key)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM idempotency WHERE user_id = $1 AND key = $2`, userID, key)
		}
		return mapErr("store.FinishIdempotencyKey", err)
	})
}
