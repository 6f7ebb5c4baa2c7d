package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modelrouter/modelrouter/router"
)

// Client API keys look like "mr-" followed by 32 random bytes in unpadded
// base64url (43 characters). Only their SHA-256 is stored.
const (
	keyPrefix    = "mr-"
	keyBodyLen   = 43 // base64.RawURLEncoding of 32 bytes
	keyShownLen  = len(keyPrefix) + 8
	maxKeyName   = 200
	keyIDBytes   = 6
	keyIDPrefix  = "key_"
	keyTotalLen  = len(keyPrefix) + keyBodyLen
	keyNotValid  = "invalid API key"
	keyRevokedAs = "API key has been revoked"
)

// Key describes a client API key. It never holds the key itself.
type Key struct {
	ID   string
	Name string
	// Prefix is the key's first characters ("mr-AbCd1234"), enough for people
	// to tell keys apart in a listing and useless to an attacker.
	Prefix  string
	Created time.Time
	// Revoked is zero while the key is valid.
	Revoked time.Time
	// Budget caps what calls with the key may spend (USD 0: no cap).
	Budget Budget
}

// Active reports whether the key has not been revoked.
func (k Key) Active() bool { return k.Revoked.IsZero() }

// CreateKey makes a new key named name and returns its plaintext, which is
// shown once and cannot be recovered. Returns EInvalid for a bad name.
func (s *Store) CreateKey(ctx context.Context, name string) (string, Key, error) {
	name = strings.TrimSpace(name)
	// Characters, as the message says: a byte count would refuse a name
	// of 70 Chinese characters (210 bytes) as over 200 characters.
	if name == "" || utf8.RuneCountInString(name) > maxKeyName {
		return "", Key{}, &router.Error{Code: router.EInvalid, Param: "name",
			Message: fmt.Sprintf("key name must be 1 to %d characters", maxKeyName)}
	}
	secret := make([]byte, 32)
	idBytes := make([]byte, keyIDBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", Key{}, fmt.Errorf("create key: %w", err)
	}
	if _, err := rand.Read(idBytes); err != nil {
		return "", Key{}, fmt.Errorf("create key: %w", err)
	}
	plaintext := keyPrefix + base64.RawURLEncoding.EncodeToString(secret)
	hash := sha256.Sum256([]byte(plaintext))
	k := Key{ID: keyIDPrefix + hex.EncodeToString(idBytes), Name: name, Prefix: plaintext[:keyShownLen], Created: s.now().UTC()}
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_keys (id, name, prefix, hash, created) VALUES (?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.Prefix, hash[:], formatTS(k.Created))
	if err != nil {
		return "", Key{}, fmt.Errorf("create key: %w", err)
	}
	return plaintext, k, nil
}

// VerifyKey returns the key plaintext belongs to. Returns EUnauthorized for
// a malformed, unknown or revoked key; the message never repeats the key.
func (s *Store) VerifyKey(ctx context.Context, plaintext string) (Key, error) {
	if len(plaintext) != keyTotalLen || !strings.HasPrefix(plaintext, keyPrefix) {
		return Key{}, router.Errorf(router.EUnauthorized, keyNotValid)
	}
	want := sha256.Sum256([]byte(plaintext))
	// Look keys up by their visible prefix and compare hashes in constant
	// time, so response timing says nothing about how close a guess was.
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, prefix, hash, created, revoked, budget_usd, budget_period FROM api_keys WHERE prefix = ?`,
		plaintext[:keyShownLen])
	if err != nil {
		return Key{}, fmt.Errorf("verify key: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash []byte
		k, err := scanKey(rows, &hash)
		if err != nil {
			return Key{}, err
		}
		if subtle.ConstantTimeCompare(hash, want[:]) != 1 {
			continue
		}
		if !k.Active() {
			return Key{}, router.Errorf(router.EUnauthorized, keyRevokedAs)
		}
		return k, nil
	}
	if err := rows.Err(); err != nil {
		return Key{}, fmt.Errorf("verify key: %w", err)
	}
	return Key{}, router.Errorf(router.EUnauthorized, keyNotValid)
}

// ListKeys returns every key, revoked ones included, oldest first.
func (s *Store) ListKeys(ctx context.Context) ([]Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, prefix, hash, created, revoked, budget_usd, budget_period FROM api_keys ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var keys []Key
	for rows.Next() {
		var hash []byte
		k, err := scanKey(rows, &hash)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RevokeKey revokes the key with this id, visible prefix or plaintext and
// returns it.
// Revoking a revoked key is not an error. Returns ENotFound when nothing
// matches and EConflict when a prefix matches several keys.
func (s *Store) RevokeKey(ctx context.Context, idOrPrefix string) (Key, error) {
	var k Key
	err := s.updateKey(ctx, idOrPrefix, "revoke", func(tx *sql.Tx, found Key) (bool, error) {
		k = found
		if !k.Active() {
			return false, nil
		}
		k.Revoked = s.now().UTC()
		_, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked = ? WHERE id = ?`, formatTS(k.Revoked), k.ID)
		return true, err
	})
	return k, err
}

// SetKeyBudget sets what calls with the key (by id or visible prefix) may
// spend per period; b.USD 0 removes the cap. It returns the key as it now
// is. Returns EInvalid for a bad budget, ENotFound and EConflict as
// RevokeKey does.
func (s *Store) SetKeyBudget(ctx context.Context, idOrPrefix string, b Budget) (Key, error) {
	if err := b.Validate(); err != nil {
		return Key{}, err
	}
	var k Key
	err := s.updateKey(ctx, idOrPrefix, "set key budget", func(tx *sql.Tx, found Key) (bool, error) {
		k = found
		k.Budget = b
		var usd any // NULL: no budget
		if b.USD > 0 {
			usd = b.USD
		}
		_, err := tx.ExecContext(ctx, `UPDATE api_keys SET budget_usd = ?, budget_period = ? WHERE id = ?`,
			usd, b.period(), k.ID)
		return true, err
	})
	return k, err
}

// updateKey runs change, in one transaction, on the one key with this id,
// visible prefix or plaintext; change reports whether it wrote anything.
func (s *Store) updateKey(ctx context.Context, idOrPrefix, what string, change func(*sql.Tx, Key) (bool, error)) error {
	if idOrPrefix == "" {
		return router.Errorf(router.EInvalid, "key id or prefix is required")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	query, args := `SELECT id, name, prefix, hash, created, revoked, budget_usd, budget_period FROM api_keys WHERE id = ? OR prefix = ?`,
		[]any{idOrPrefix, idOrPrefix}
	notFound := fmt.Sprintf("no API key with id or prefix %q", idOrPrefix)
	if strings.HasPrefix(idOrPrefix, keyPrefix) && len(idOrPrefix) > keyShownLen {
		// The key itself, or more of it than lists show: an operator
		// revoking a leaked key has its value. It is found by its hash
		// and never repeated, as keys never appear in errors.
		hash := sha256.Sum256([]byte(idOrPrefix))
		query, args = `SELECT id, name, prefix, hash, created, revoked, budget_usd, budget_period FROM api_keys WHERE hash = ?`, []any{hash[:]}
		notFound = fmt.Sprintf("no API key is the key given (%s…, not shown whole)", idOrPrefix[:keyShownLen])
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	var matches []Key
	for rows.Next() {
		var hash []byte
		k, err := scanKey(rows, &hash)
		if err != nil {
			rows.Close()
			return err
		}
		matches = append(matches, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch len(matches) {
	case 0:
		return router.Errorf(router.ENotFound, "%s", notFound)
	case 1:
	default:
		return router.Errorf(router.EConflict, "prefix %q matches %d keys; name the key by id", idOrPrefix, len(matches))
	}
	wrote, err := change(tx, matches[0])
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !wrote {
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// KeyBudget returns the budget of the active key with this id (USD 0: no
// cap, or no such active key: it cannot call anyway).
func (s *Store) KeyBudget(ctx context.Context, id string) (Budget, error) {
	var usd sql.NullFloat64
	var period string
	err := s.db.QueryRowContext(ctx, `SELECT budget_usd, budget_period FROM api_keys WHERE id = ? AND revoked IS NULL`, id).
		Scan(&usd, &period)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Budget{}, nil
	case err != nil:
		return Budget{}, fmt.Errorf("key budget: %w", err)
	}
	return Budget{USD: usd.Float64, Period: period}, nil
}

// KeySpend adds up the cost of the calls made with key id that began in
// [since, until) (a zero since: from the first; a zero until: to the
// last), as the decision log has them: its rows, and what the rows
// PruneDecisions deleted spent. Those are kept by spans of a UTC day cut
// at the starts AddBudgetStart recorded, so since is a UTC midnight (a
// budget period's start) or zero; until is exact where it is zero, a UTC
// midnight or a recorded start (a gateway's, which reads up to its own).
func (s *Store) KeySpend(ctx context.Context, id string, since, until time.Time) (float64, error) {
	var logged, pruned float64
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !since.IsZero() {
		from = since.UnixMilli()
	}
	if !until.IsZero() {
		to = until.UnixMilli()
	}
	err := s.db.QueryRowContext(ctx, keySpendSQL, id, from, to).Scan(&logged, &pruned)
	if err != nil {
		return 0, fmt.Errorf("key spend: %w", err)
	}
	return logged + pruned, nil
}

// keySpendSQL adds up key ?1's spend in [?2, ?3): its rows, read from the
// decisions_key_spend index alone (a key may have millions), and its
// pruned spans.
const keySpendSQL = `SELECT
	(SELECT total(cost_usd) FROM decisions WHERE key_id = ?1 AND key_id != '' AND ts_ms >= ?2 AND ts_ms < ?3),
	(SELECT total(cost_usd) FROM pruned_spend WHERE key_id = ?1 AND key_id != '' AND from_ms >= ?2 AND from_ms < ?3)`

func scanKey(rows *sql.Rows, hash *[]byte) (Key, error) {
	var (
		k       Key
		created string
		revoked sql.NullString
		budget  sql.NullFloat64
	)
	if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, hash, &created, &revoked, &budget, &k.Budget.Period); err != nil {
		return k, fmt.Errorf("scan key: %w", err)
	}
	var err error
	if k.Created, err = parseTS(created); err != nil {
		return k, fmt.Errorf("key %s: bad created time: %w", k.ID, err)
	}
	if revoked.Valid {
		if k.Revoked, err = parseTS(revoked.String); err != nil {
			return k, fmt.Errorf("key %s: bad revoked time: %w", k.ID, err)
		}
	}
	k.Budget.USD = budget.Float64
	return k, nil
}
