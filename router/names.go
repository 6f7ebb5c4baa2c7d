package router

import (
	"fmt"
	"strings"
)

// FoldName is the form in which deployment names are compared: ASCII
// letters lowered and nothing else changed, as SQLite's NOCASE collation
// compares. Deployment names are ASCII (letters, digits, '.', '_', '-'),
// so this is the whole of their case; folding other letters too would let
// names the store keeps apart (a Kelvin sign and a K) meet here.
func FoldName(name string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, name)
}

// UnfoundDeployment is the deployment a call whose deployment name was not
// found is counted under (the /metrics label; Record.DeploymentFound), so
// that clients cannot add a series per made-up name. No deployment may be
// created under it, in any case (IsReservedDeploymentName), or its calls
// would be counted with theirs.
const UnfoundDeployment = "unknown"

// IsReservedDeploymentName reports whether name, in any case, is
// UnfoundDeployment.
func IsReservedDeploymentName(name string) bool { return FoldName(name) == UnfoundDeployment }

// MatchDeploymentName picks the deployment that name calls among names,
// which are compared without regard to case, as Azure compares deployment
// names: the one spelled exactly so when there is one, else the only one
// spelled so in another case. Returns ENotFound when none matches, and
// EConflict (final: asking again cannot help) when name matches several
// and none exactly; only a database written before names were compared
// this way can hold two names that differ only in case, and the caller
// must choose between them rather than be given either at random.
func MatchDeploymentName(names []string, name string) (string, error) {
	var matches []string
	for _, n := range names {
		if n == name {
			return n, nil
		}
		if FoldName(n) == FoldName(name) {
			matches = append(matches, n)
		}
	}
	switch len(matches) {
	case 0:
		return "", Errorf(ENotFound, "deployment %q not found", name)
	case 1:
		return matches[0], nil
	}
	quoted := make([]string, len(matches))
	for i, m := range matches {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	return "", &Error{Code: EConflict, Final: true, Message: fmt.Sprintf(
		"deployment name %q matches the deployments %s, whose names differ only in case: name one of them exactly as it is spelled",
		name, strings.Join(quoted, " and "))}
}
