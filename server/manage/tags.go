package manage

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Azure Resource Manager's limits on a resource's tags ("Use tags to
// organize your Azure resources", learn.microsoft.com/azure/
// azure-resource-manager/management/tag-resources#limitations): at most 50
// name-value pairs, a name of at most 512 characters, a value of at most
// 256. A body past them would be refused by Azure, so it is here, rather
// than kept for a client that then could not apply it to Azure.
const (
	maxTags        = 50
	maxTagNameLen  = 512
	maxTagValueLen = 256
	// tagNameForbidden are the characters ARM refuses in a tag name (same
	// page: "Tag names can't contain these characters").
	tagNameForbidden = `<>%&\?/`
)

// checkTags returns tags to store (nil when there are none, so an empty
// object is not answered back as one that was set) or refuses tags over
// Azure's limits.
func checkTags(tags map[string]string) (map[string]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	if len(tags) > maxTags {
		return nil, badRequest(CodeInvalidBody, "tags",
			fmt.Sprintf("tags has %d name-value pairs; a deployment takes at most %d, as Azure's resources do", len(tags), maxTags))
	}
	// In name order, so a body with several bad tags is refused for the
	// same one each time.
	names := slices.Sorted(maps.Keys(tags))
	for i, name := range names {
		value := tags[name]
		// ARM reads tag names in any case as one tag (same page: "Tag
		// names are case-insensitive for operations"): kept apart here,
		// two such tags would be one, or refused, when applied to Azure,
		// and which value wins is not the client's to guess.
		same := slices.IndexFunc(names[:i], func(n string) bool { return strings.EqualFold(n, name) })
		switch {
		case name == "":
			return nil, badRequest(CodeInvalidBody, "tags", "tags has an empty tag name")
		case same >= 0:
			return nil, badRequest(CodeInvalidBody, "tags",
				fmt.Sprintf("tags %.40q and %.40q differ only in case; Azure reads tag names in any case as one tag, so keep one of them", names[same], name))
		case strings.ContainsAny(name, tagNameForbidden):
			bad := name[strings.IndexAny(name, tagNameForbidden)]
			return nil, badRequest(CodeInvalidBody, "tags",
				fmt.Sprintf("tag name %.40q contains '%c'; Azure takes no tag name with any of < > %% & \\ ? /", name, bad))
		case utf8.RuneCountInString(name) > maxTagNameLen:
			return nil, badRequest(CodeInvalidBody, "tags",
				fmt.Sprintf("tag name %.40q… is %d characters long; Azure takes at most %d", name, utf8.RuneCountInString(name), maxTagNameLen))
		case utf8.RuneCountInString(value) > maxTagValueLen:
			return nil, badRequest(CodeInvalidBody, "tags."+name,
				fmt.Sprintf("tag %q has a value %d characters long; Azure takes at most %d", name, utf8.RuneCountInString(value), maxTagValueLen))
		}
	}
	return tags, nil
}
