package openai

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// MembersRead is kept by hand, and the gateway refuses a case variant
// only of a member in it: a member Parse reads that the list lacks would
// be read by its exact name while a variant went to a provider that folds
// case. So every top-level member this package's code reads by a name it
// writes out is in the list. The code reads the body's top level as the
// map `top` (each function declared to take one names it so, checked first),
// and names a member as a literal in `top["x"]`, as an argument after
// `top` (`optString(top, "x")`, `maxTokens(top, "a", "b")`), or in a list
// of literals ranged over to index `top`; a name computed otherwise is
// not seen.
func TestMembersReadHoldsEveryTopLevelMemberParseReads(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	read := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "exact_nested.go" || name == "continuation.go" {
			// exact_nested.go checks the top level's nested objects by the
			// same names; continuation.go writes the top level out again.
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				for _, p := range n.Type.Params.List {
					if isTopMap(p.Type) {
						for _, id := range p.Names {
							assert.Equal(t, "top", id.Name, "%s: a top-level map named otherwise is not scanned", fset.Position(id.Pos()))
						}
					}
				}
			case *ast.IndexExpr:
				if isTop(n.X) {
					addLiteral(read, n.Index)
				}
			case *ast.CallExpr:
				for i, a := range n.Args {
					if isTop(a) {
						for _, b := range n.Args[i+1:] {
							addLiteral(read, b)
						}
					}
				}
			case *ast.RangeStmt:
				lit, ok := n.X.(*ast.CompositeLit)
				v, okV := n.Value.(*ast.Ident)
				if ok && okV && indexesTopWith(n.Body, v.Name) {
					for _, e := range lit.Elts {
						addLiteral(read, e)
					}
				}
			}
			return true
		})
	}
	require.Contains(t, read, "model", "the scan finds what Parse reads")
	require.Contains(t, read, "tools")
	var missing []string
	for name := range read {
		if !slices.Contains(MembersRead, name) {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "read by Parse but not in MembersRead")
}

func isTop(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "top"
}

// isTopMap reports whether e is map[string]json.RawMessage.
func isTopMap(e ast.Expr) bool {
	m, ok := e.(*ast.MapType)
	if !ok {
		return false
	}
	k, okK := m.Key.(*ast.Ident)
	v, okV := m.Value.(*ast.SelectorExpr)
	return okK && okV && k.Name == "string" && v.Sel.Name == "RawMessage"
}

func addLiteral(read map[string]bool, e ast.Expr) {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		if s, err := strconv.Unquote(lit.Value); err == nil {
			read[s] = true
		}
	}
}

// indexesTopWith reports whether body reads top[name].
func indexesTopWith(body ast.Node, name string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if ix, ok := n.(*ast.IndexExpr); ok && isTop(ix.X) {
			if id, ok := ix.Index.(*ast.Ident); ok && id.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
}
