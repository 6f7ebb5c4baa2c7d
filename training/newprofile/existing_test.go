package newprofile

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/models"
)

// A profile added to a router model other than the embedded one (a
// retrained one) is refitted from that model, named by its content hash,
// and the profiles added after it, anchored on it, are added again with it
// under the names they were given.
func TestRefittingAnAddedProfileNamesTheModelItWasAddedToAndThoseAddedAfter(t *testing.T) {
	card := models.Card{Profiles: []string{"a", "first", "mine", "later"}, AddedProfiles: []models.AddedProfile{
		{Profile: "first", Model: "first", BaseContentHash: "h0"},
		{Profile: "mine", Model: "acme-1", BaseContentHash: "h1"},
		{Profile: "later", Model: "later", BaseContentHash: "h2"},
	}}
	err := ExistingProfileError(card, "mine")
	assert.ErrorContains(t, err, "content hash h1 (name a copy of it with --router-model)")
	assert.ErrorContains(t, err, "--model acme-1 --model later --profile mine --profile later")
	assert.NotContains(t, err.Error(), "--model first", "a profile added before it is in the model it was added to")
	assert.NotContains(t, err.Error(), "leave out --router-model")
}
