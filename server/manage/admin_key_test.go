package manage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/manage"
)

// IsAdminKey compares digests of equal length, so no reply's timing tells
// the admin key's length; what a client sees is the same: the key alone
// opens, and a guess of any other length, or of its length, does not.
func TestIsAdminKeyAdmitsTheKeyAloneWhateverAGuessesLength(t *testing.T) {
	const key = "correct-horse-battery-staple"
	assert.True(t, manage.IsAdminKey(key, key))
	assert.True(t, manage.IsAdminKey(" "+key+"\n", key+"\n"), "surrounding whitespace ignored on either side")
	for n := 1; n < len(key); n++ {
		assert.False(t, manage.IsAdminKey(key[:n], key), "a prefix of %d bytes", n)
		assert.False(t, manage.IsAdminKey(key[n:], key), "a suffix of %d bytes", len(key)-n)
	}
	assert.False(t, manage.IsAdminKey(key+"x", key))
	assert.False(t, manage.IsAdminKey(key+key, key))
	assert.False(t, manage.IsAdminKey("correct-horse-battery-stapla", key), "same length, last byte off")
	assert.False(t, manage.IsAdminKey("", key))
	assert.False(t, manage.IsAdminKey("", ""), "no admin key admits no one")
	assert.False(t, manage.IsAdminKey(" ", " "))
}
