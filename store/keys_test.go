package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestCreateAndVerifyKey(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	s.Now = func() time.Time { return sampleTime }
	plain, k, err := s.CreateKey(ctx, "  ci pipeline ")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(plain, "mr-"), plain)
	assert.Len(t, plain, 46, "mr- and 43 characters of base64url")
	assert.Equal(t, "ci pipeline", k.Name)
	assert.Equal(t, plain[:11], k.Prefix)
	assert.True(t, k.Created.Equal(sampleTime))
	assert.True(t, k.Active())

	got, err := s.VerifyKey(ctx, plain)
	require.NoError(t, err)
	assert.Equal(t, k.ID, got.ID)

	other, _, err := s.CreateKey(ctx, "second")
	require.NoError(t, err)
	assert.NotEqual(t, plain, other)

	// The database holds the key's SHA-256, never its secret part.
	var everything, hash string
	require.NoError(t, s.DB().QueryRow(`SELECT id || name || prefix || hex(hash) || created, lower(hex(hash)) FROM api_keys WHERE id = ?`, k.ID).
		Scan(&everything, &hash))
	assert.NotContains(t, everything, plain[len(k.Prefix):])
	sum := sha256.Sum256([]byte(plain))
	assert.Equal(t, hex.EncodeToString(sum[:]), hash)
}

func TestVerifyKeyRejects(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	plain, _, err := s.CreateKey(ctx, "real")
	require.NoError(t, err)
	flipped := []byte(plain)
	last := len(flipped) - 1
	if flipped[last] == 'A' {
		flipped[last] = 'B'
	} else {
		flipped[last] = 'A'
	}
	tests := []struct{ name, key string }{
		{"empty", ""},
		{"no prefix", strings.TrimPrefix(plain, "mr-") + "xyz"},
		{"truncated", plain[:len(plain)-1]},
		{"one character changed, same visible prefix", string(flipped)},
		{"another system's key", "sk-" + plain[3:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.VerifyKey(ctx, tt.key)
			require.Error(t, err)
			assert.Equal(t, router.EUnauthorized, router.ErrorCode(err))
			if tt.key != "" {
				assert.NotContains(t, err.Error(), tt.key, "errors never repeat the key")
			}
		})
	}
}

func TestRevokeKey(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	byID, k1, err := s.CreateKey(ctx, "by id")
	require.NoError(t, err)
	byPrefix, k2, err := s.CreateKey(ctx, "by prefix")
	require.NoError(t, err)
	kept, _, err := s.CreateKey(ctx, "kept")
	require.NoError(t, err)

	r1, err := s.RevokeKey(ctx, k1.ID)
	require.NoError(t, err)
	assert.False(t, r1.Active())
	_, err = s.RevokeKey(ctx, k2.Prefix)
	require.NoError(t, err)
	_, err = s.RevokeKey(ctx, k1.ID)
	assert.NoError(t, err, "revoking twice is harmless")

	for _, plain := range []string{byID, byPrefix} {
		_, err := s.VerifyKey(ctx, plain)
		assert.Equal(t, router.EUnauthorized, router.ErrorCode(err))
		assert.Contains(t, err.Error(), "revoked")
	}
	_, err = s.VerifyKey(ctx, kept)
	assert.NoError(t, err)

	keys, err := s.ListKeys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 3)
	active := map[string]bool{}
	for _, k := range keys {
		active[k.Name] = k.Active()
	}
	assert.Equal(t, map[string]bool{"by id": false, "by prefix": false, "kept": true}, active)

	_, err = s.RevokeKey(ctx, "key_000000000000")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
	_, err = s.RevokeKey(ctx, "")
	assert.Equal(t, router.EInvalid, router.ErrorCode(err))
}

func TestCreateKeyRejectsBadName(t *testing.T) {
	s := MustOpen(t)
	for _, name := range []string{"", "   ", strings.Repeat("n", 201)} {
		_, _, err := s.CreateKey(context.Background(), name)
		assert.Equal(t, router.EInvalid, router.ErrorCode(err), "name %q", name)
	}
	keys, err := s.ListKeys(context.Background())
	require.NoError(t, err)
	assert.Empty(t, keys)
}

// A name's limit is 200 characters, as the refusal says, whatever script
// it is written in: a Chinese character takes three bytes in UTF-8.
func TestAKeyNameMayHave200CharactersInAnyScript(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	for _, name := range []string{strings.Repeat("夜", 70), strings.Repeat("é", 200), strings.Repeat("n", 200)} {
		_, k, err := s.CreateKey(ctx, name)
		require.NoError(t, err, "%d characters, %d bytes", len([]rune(name)), len(name))
		assert.Equal(t, name, k.Name)
	}
	_, _, err := s.CreateKey(ctx, strings.Repeat("夜", 201))
	assert.Equal(t, router.EInvalid, router.ErrorCode(err))
	assert.ErrorContains(t, err, "1 to 200 characters")
}

// BenchmarkVerifyKey measures the per-request cost of checking a client key.
func BenchmarkVerifyKey(b *testing.B) {
	s := MustOpen(b)
	ctx := context.Background()
	var plain string
	for i := range 100 {
		p, _, err := s.CreateKey(ctx, fmt.Sprintf("key %d", i))
		require.NoError(b, err)
		plain = p
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.VerifyKey(ctx, plain); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
