package newprofile

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/models"
)

// A base folder without PROVENANCE.md (only the three model files copied)
// is extended once: its PROVENANCE.md then has no trained-base section.
// Extending that result again (a second add-profile run, or the second
// --model of one run, which reloads --out) must list each added profile
// once and must not file the previous extension's own text under "The
// trained base model's provenance".
func TestProvenanceOfABaseWithoutProvenanceDoesNotNestOnSecondExtension(t *testing.T) {
	one := models.Card{ContentHash: "aaa", AddedProfiles: []models.AddedProfile{{Profile: "p1", Model: "m1", BaseContentHash: "base"}}}
	first := provenance(one, nil) // base folder had no PROVENANCE.md
	two := one
	two.ContentHash = "bbb"
	two.AddedProfiles = append(two.AddedProfiles, models.AddedProfile{Profile: "p2", Model: "m2", BaseContentHash: "aaa"})
	second := provenance(two, []byte(first))

	assert.Equal(t, 1, strings.Count(second, "## p1\n"), "profile p1 listed more than once:\n%s", second)
	assert.Equal(t, 1, strings.Count(second, "# Router model artifacts: provenance"), "the previous extension's file is nested:\n%s", second)
	assert.NotContains(t, second, baseProvenanceHeading,
		"no trained provenance was ever known, yet the previous extension's file is presented as the trained base model's:\n%s", second)
}
