package newprofile

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/models"
)

// Extending a model that was already extended carries the trained model's
// provenance once, after every added profile, not nested inside the
// previous extension's file.
func TestProvenanceCarriesTheTrainedModelsOnceAcrossExtensions(t *testing.T) {
	trained := "# Router model artifacts: provenance\n\nCommand: `modelrouter train --seed 1`\n"
	one := models.Card{ContentHash: "aaa", AddedProfiles: []models.AddedProfile{{Profile: "p1", Model: "m1", BaseContentHash: "base"}}}
	first := provenance(one, []byte(trained))
	two := one
	two.ContentHash = "bbb"
	two.AddedProfiles = append(two.AddedProfiles, models.AddedProfile{Profile: "p2", Model: "m2", BaseContentHash: "aaa"})
	second := provenance(two, []byte(first))

	for _, text := range []string{first, second} {
		assert.Equal(t, 1, strings.Count(text, "Command: `modelrouter train --seed 1`"), text)
		assert.Equal(t, 1, strings.Count(text, baseProvenanceHeading), text)
	}
	assert.Equal(t, 1, strings.Count(second, "## p1"), second)
	assert.Less(t, strings.Index(second, "## p2"), strings.Index(second, baseProvenanceHeading), "added profiles come first")

	none := provenance(one, nil)
	assert.NotContains(t, none, baseProvenanceHeading, "a base folder without PROVENANCE.md")
}
