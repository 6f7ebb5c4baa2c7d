package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

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
}

// Active reports whether the key has not been revoked.
func (k Key) Active() bool { return k.Revoked.IsZero() }

// CreateKey makes a new key named name and returns its plaintext, which is
// shown once and cannot be recovered. Returns EInvalid for a bad name.
func (s *Store) CreateKey(ctx context.Context, name string) (string, Key, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxKeyName {
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
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, prefix, hash, created, revoked FROM api_keys WHERE prefix = ?`,
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
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, prefix, hash, created, revoked FROM api_keys ORDER BY created, id`)
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

// RevokeKey revokes the key with this id or visible prefix and returns it.
// Revoking a revoked key is not an error. Returns ENotFound when nothing
// matches and EConflict when a prefix matches several keys.
func (s *Store) RevokeKey(ctx context.Context, idOrPrefix string) (Key, error) {
	if idOrPrefix == "" {
		return Key{}, router.Errorf(router.EInvalid, "key id or prefix is required")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Key{}, fmt.Errorf("revoke key: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, name, prefix, hash, created, revoked FROM api_keys WHERE id = ? OR prefix = ?`,
		idOrPrefix, idOrPrefix)
	if err != nil {
		return Key{}, fmt.Errorf("revoke key: %w", err)
	}
	var matches []Key
	for rows.Next() {
		var hash []byte
		k, err := scanKey(rows, &hash)
		if err != nil {
			rows.Close()
			return Key{}, err
		}
		matches = append(matches, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Key{}, fmt.Errorf("revoke key: %w", err)
	}
	switch len(matches) {
	case 0:
		return Key{}, router.Errorf(router.ENotFound, "no API key with id or prefix %q", idOrPrefix)
	case 1:
	default:
		return Key{}, router.Errorf(router.EConflict, "prefix %q matches %d keys; revoke by id", idOrPrefix, len(matches))
	}
	k := matches[0]
	if !k.Active() {
		return k, nil
	}
	k.Revoked = s.now().UTC()
	if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked = ? WHERE id = ?`, formatTS(k.Revoked), k.ID); err != nil {
		return Key{}, fmt.Errorf("revoke key: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Key{}, fmt.Errorf("revoke key: %w", err)
	}
	return k, nil
}

func scanKey(rows *sql.Rows, hash *[]byte) (Key, error) {
	var (
		k       Key
		created string
		revoked sql.NullString
	)
	if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, hash, &created, &revoked); err != nil {
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
	return k, nil
}
