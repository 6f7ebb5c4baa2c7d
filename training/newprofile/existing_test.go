package newprofile

import (
	"strings"
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
	// A profile added before it is in the model it was added to.
	assert.ErrorContains(t, err, "content hash h1 (name a copy of it with --router-model), with --model acme-1 --model later --profile mine --profile later")
	assert.NotContains(t, err.Error(), "leave out --router-model")
}

// The model a later profile was added to is often gone: an add-profile in
// place (--out the --router-model) or with several --model overwrote it.
// The refusal then also names the model the first added profile was added
// to, from which adding them all again refits it.
func TestRefittingALaterProfileAlsoNamesTheModelTheFirstWasAddedTo(t *testing.T) {
	card := models.Card{Profiles: []string{"a", "first", "mine", "later"}, AddedProfiles: []models.AddedProfile{
		{Profile: "first", Model: "first", BaseContentHash: "h0"},
		{Profile: "mine", Model: "acme-1", BaseContentHash: "h1"},
		{Profile: "later", Model: "later", BaseContentHash: "h2"},
	}}
	err := ExistingProfileError(card, "later")
	assert.ErrorContains(t, err, "content hash h2 (name a copy of it with --router-model), with --model later")
	assert.ErrorContains(t, err, "content hash h0")
	assert.ErrorContains(t, err, "--model first --model acme-1 --model later --profile first --profile mine --profile later")

	err = ExistingProfileError(card, "first")
	assert.Equal(t, 1, strings.Count(err.Error(), "content hash"), "the first added has no earlier model to name: %v", err)
}

// add-profile takes each --model once: a model added under two profile
// names is added again by a second add-profile, on what the first wrote,
// rather than named twice in one that add-profile would refuse.
func TestRefittingNamesEachModelOnceAnAddProfile(t *testing.T) {
	card := models.Card{Profiles: []string{"a", "mine", "other", "mine-too"}, AddedProfiles: []models.AddedProfile{
		{Profile: "mine", Model: "acme-1", BaseContentHash: "h0"},
		{Profile: "other", Model: "acme-2", BaseContentHash: "h1"},
		{Profile: "mine-too", Model: "acme-1", BaseContentHash: "h2"},
	}}
	err := ExistingProfileError(card, "mine")
	assert.ErrorContains(t, err, "content hash h0 (name a copy of it with --router-model), with --model acme-1 --model acme-2 --profile mine --profile other, "+
		"then to the router model that wrote (--router-model its --out), with --model acme-1 --profile mine-too")
	assert.Equal(t, 2, strings.Count(err.Error(), "--model acme-1"), "once in each add-profile: %v", err)
}
