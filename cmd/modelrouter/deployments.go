package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
)

func init() {
	register(command{name: "deployments", summary: "manage deployments on a running server (list, get, put, delete, pause, resume)", run: runDeployments,
		subcommands: deploymentsSubcommands})
}

var deploymentsSubcommands = []string{"list", "get", "put", "delete", "pause", "resume"}

var deploymentsUsage = `usage:
  modelrouter deployments list                 list deployments
  modelrouter deployments get NAME             print a deployment as JSON, its etag included
  modelrouter deployments put NAME [flags]     create or replace a deployment
  modelrouter deployments delete NAME          delete a deployment
  modelrouter deployments pause NAME           stop a router's calls (423), changing nothing else
  modelrouter deployments resume NAME          let a paused router take calls again

put builds the body from flags, or sends --file (JSON, "-" for stdin) as is:
  --version V         model-router version (default: the latest)
  --mode M            balanced (default), quality or cost
  --models IDS        comma-separated model IDs or catalog names for a subset, e.g.
                      gpt-4.1-2025-04-14,claude-sonnet-4-5-20250929 or gpt-4.1 (see modelrouter models)
  --model ID          deploy an underlying model (a Claude model) instead of a router
  --sku S --capacity N  SKU name (GlobalStandard) and capacity (10 = 10,000 tokens/min);
                      SKU names, in any case:
                      ` + indentLines(wrapText(strings.Join(manage.SKUNames, ", "), 64), 22) + `
  --paused            a router that takes no calls (423) until a put without it;
                      to stop a deployment in an emergency, use pause, which keeps
                      its subset, SKU and capacity where a put replaces them

pause and resume (Azure's actions) set only the deployment's state and print it;
run again, they change nothing. A model deployment (--model) cannot be paused.

put, delete, pause and resume take --if-match ETAG: only while the deployment's
etag (as get prints it) is still ETAG, so that a read-modify-write does not undo
another admin's change; * = any deployment that exists. Otherwise nothing is
written, and it says why.

Every command takes --url (default $MODELROUTER_URL or http://127.0.0.1:8080) and
--admin-key (default $MODELROUTER_ADMIN_KEY, or the file $MODELROUTER_ADMIN_KEY_FILE
names, read as serve reads it: both set is an error).`

// indentLines joins lines, each after the first indented by n spaces, to
// continue a usage line.
func indentLines(lines []string, n int) string {
	return strings.Join(lines, "\n"+strings.Repeat(" ", n))
}

// deploymentsDefaultURL is where `modelrouter serve` listens by default.
const deploymentsDefaultURL = "http://127.0.0.1:8080"

func runDeployments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, deploymentsUsage)
		return usagef("deployments: no subcommand; want %s", deploymentsWant())
	}
	sub, args := args[0], args[1:]
	if sub == "help" || sub == "-h" || sub == "--help" {
		fmt.Fprintln(stdout, deploymentsUsage)
		return nil
	}
	// Known before its flags or the admin key are read, so a typo is named
	// as one rather than as a key file that cannot be read.
	if !slices.Contains(deploymentsSubcommands, sub) {
		fmt.Fprintln(stderr, deploymentsUsage)
		return usagef("deployments: unknown subcommand %q; want %s", sub, deploymentsWant())
	}
	fs := flag.NewFlagSet("deployments "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, deploymentsUsage) }
	base := fs.String("url", envOr("MODELROUTER_URL", deploymentsDefaultURL), "server base URL")
	key := fs.String("admin-key", "", "admin key (default $"+manage.EnvAdminKey+" or the file $"+manage.EnvAdminKey+secretFileSuffix+" names)")
	var put deploymentFlags
	if sub == "put" {
		put.register(fs)
	}
	var ifMatch string
	if sub != "list" && sub != "get" {
		fs.StringVar(&ifMatch, "if-match", "", "write only while the deployment's etag is this one (* = any that exists)")
	}
	pos, err := parseDeploymentArgs(fs, args)
	fs.Visit(func(fl *flag.Flag) { put.set = append(put.set, fl.Name) })
	if err != nil {
		return err
	}
	// The flag, given, wins (even empty); else the environment, read as
	// serve reads it, so a key the gateway beside this takes from
	// MODELROUTER_ADMIN_KEY_FILE works here too.
	keyFrom := "--admin-key"
	if !slices.Contains(put.set, "admin-key") {
		var err error
		if *key, keyFrom, err = envKey(os.Environ(), manage.EnvAdminKey); err != nil {
			return fmt.Errorf("deployments %s: %w", sub, err)
		}
		keyFrom = "$" + keyFrom
	}
	// Trimmed as the server trims it, so the key file that serve accepts
	// works here too.
	adminKey := manage.TrimAdminKey(*key)
	if strings.ContainsFunc(adminKey, unicode.IsControl) {
		// Refused here, before any request: net/http would refuse the header
		// anyway, and the key itself is never printed.
		return fmt.Errorf("deployments %s: the admin key (%s) holds a control character, which no HTTP header can carry", sub, keyFrom)
	}
	if err := checkBaseURL(*base, slices.Contains(put.set, "url")); err != nil {
		return fmt.Errorf("deployments %s: %w", sub, err)
	}
	c := &mgmtClient{base: strings.TrimRight(*base, "/"), key: adminKey, http: &http.Client{Timeout: 30 * time.Second}, header: http.Header{}}
	// By the flag given, not its value: "--if-match $ETAG" with ETAG unset
	// would otherwise write with no precondition at all.
	if slices.Contains(put.set, "if-match") {
		tag, err := ifMatchTag(ifMatch)
		if err != nil {
			return fmt.Errorf("deployments %s: %w", sub, err)
		}
		c.header.Set("If-Match", tag)
	}
	needName := func() (string, error) {
		if len(pos) != 1 {
			fs.Usage()
			return "", usagef("deployments %s: want exactly one deployment name, got %d arguments", sub, len(pos))
		}
		// Empty, the request would go to the collection: `get` would print
		// the list as if it were one deployment.
		if pos[0] == "" {
			return "", usagef("deployments %s: the deployment name is empty; give the name `deployments list` shows", sub)
		}
		return pos[0], nil
	}
	switch sub {
	case "list":
		if len(pos) > 0 {
			return usagef("deployments list: unexpected argument %q", pos[0])
		}
		var list struct {
			Value []manage.Resource `json:"value"`
		}
		if _, err := c.do(ctx, http.MethodGet, "", nil, &list); err != nil {
			return fmt.Errorf("deployments list: %w", err)
		}
		return writeDeploymentsTable(stdout, list.Value)
	case "get", "delete":
		name, err := needName()
		if err != nil {
			return err
		}
		if sub == "delete" {
			status, err := c.do(ctx, http.MethodDelete, name, nil, nil)
			if err != nil {
				return fmt.Errorf("deployments delete: %w", notMatched(err, "deleted", name, c.header))
			}
			// The server answers 200 for a delete and 204 where there was
			// none (as Azure does): a typo succeeds, but is not called a
			// delete.
			if status == http.StatusNoContent {
				fmt.Fprintf(stderr, "there is no deployment %s; nothing was deleted\n", name)
				return nil
			}
			fmt.Fprintf(stderr, "deployment %s deleted\n", name)
			return nil
		}
		var r json.RawMessage
		if _, err := c.do(ctx, http.MethodGet, name, nil, &r); err != nil {
			return fmt.Errorf("deployments get: %w", err)
		}
		return writeIndented(stdout, r)
	case "pause", "resume":
		name, err := needName()
		if err != nil {
			return err
		}
		var r json.RawMessage
		if _, err := c.action(ctx, name, sub, &r); err != nil {
			return fmt.Errorf("deployments %s: %w", sub, noAction(notMatched(err, sub+"d", name, c.header), c.base))
		}
		return writeIndented(stdout, r)
	default: // put, the one left of the subcommands checked above
		name, err := needName()
		if err != nil {
			return err
		}
		body, err := put.body()
		if err != nil {
			return fmt.Errorf("deployments put: %w", err)
		}
		var r json.RawMessage
		if _, err := c.do(ctx, http.MethodPut, name, body, &r); err != nil {
			return fmt.Errorf("deployments put: %w", notMatched(err, "written", name, c.header))
		}
		return writeIndented(stdout, r)
	}
}

// deploymentsWant lists the subcommands for an error: "list, get, ... or resume".
func deploymentsWant() string {
	n := len(deploymentsSubcommands)
	return strings.Join(deploymentsSubcommands[:n-1], ", ") + " or " + deploymentsSubcommands[n-1]
}

// checkBaseURL refuses a --url that is not an http(s) URL with a host,
// such as "localhost:8080" typed as serve's --addr takes it: Go would
// answer "unsupported protocol scheme" or a parse error about a colon,
// neither of which says what to type.
func checkBaseURL(base string, fromFlag bool) error {
	if u, err := url.Parse(base); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	from := ""
	if !fromFlag {
		from = " (from $MODELROUTER_URL)"
	}
	return fmt.Errorf("--url %s%s: want the server's base URL, as %s", base, from, deploymentsDefaultURL)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parseDeploymentArgs parses flags that may come before or after the
// positional arguments ("put mr --mode cost" and "put --mode cost mr").
func parseDeploymentArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// deploymentFlags build a PUT body.
type deploymentFlags struct {
	file, version, mode, modelsCSV, model, sku string
	capacity                                   int
	paused                                     bool
	// set names the flags given on the command line.
	set []string
}

func (f *deploymentFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "file", "", `deployment JSON to send as is ("-" for stdin)`)
	fs.StringVar(&f.version, "version", "", "model-router version (default: the latest)")
	fs.StringVar(&f.mode, "mode", "", "routing mode: balanced, quality or cost")
	fs.StringVar(&f.modelsCSV, "models", "", "comma-separated model IDs or catalog names (gpt-4.1) of a subset")
	fs.StringVar(&f.model, "model", "", "deploy this underlying model (a Claude model ID) instead of a router")
	fs.StringVar(&f.sku, "sku", manage.DefaultSKU, "SKU name")
	fs.IntVar(&f.capacity, "capacity", manage.DefaultCapacity, "capacity (1 = 1,000 tokens per minute)")
	fs.BoolVar(&f.paused, "paused", false, `pause the router: its calls are refused 423 (deploymentState "Paused") until a put without --paused`)
}

func (f *deploymentFlags) body() ([]byte, error) {
	if f.file != "" {
		// By the flags given, not their values: "--mode $MODE" with MODE
		// unset is as much a conflict, and would be dropped unseen.
		if slices.ContainsFunc(f.set, func(name string) bool {
			return slices.Contains([]string{"version", "mode", "models", "model", "sku", "capacity", "paused"}, name)
		}) {
			return nil, errors.New("--file replaces --version, --mode, --models, --model, --sku, --capacity and --paused; give one or the other")
		}
		if f.file == "-" {
			return io.ReadAll(os.Stdin)
		}
		return os.ReadFile(f.file)
	}
	if f.capacity < 1 || strings.TrimSpace(f.sku) == "" {
		return nil, fmt.Errorf("--capacity %d, --sku %q: want a capacity of at least 1 and a SKU name", f.capacity, f.sku)
	}
	cat, err := models.Catalog()
	if err != nil {
		return nil, err
	}
	r := manage.Resource{SKU: &manage.SKU{Name: f.sku, Capacity: f.capacity}}
	if f.model != "" {
		if f.version != "" || f.mode != "" || f.modelsCSV != "" || f.paused {
			return nil, errors.New("--model deploys an underlying model: --version, --mode, --models and --paused apply to routers only")
		}
		m, err := catalogModel(cat, f.model)
		if err != nil {
			return nil, err
		}
		r.Properties.Model = m.Ref()
		return json.Marshal(r)
	}
	v, err := catalogVersion(cat, f.version)
	if err != nil {
		return nil, err
	}
	r.Properties.Model = router.Ref{Format: manage.RouterFormat, Name: manage.RouterName, Version: v.Version}
	if f.paused {
		r.Properties.DeploymentState = manage.DeploymentPaused
	}
	if f.mode != "" || f.modelsCSV != "" {
		r.Properties.Routing = &manage.Routing{Mode: f.mode}
	}
	if f.modelsCSV != "" {
		refs := []router.Ref{}
		for _, id := range strings.Split(f.modelsCSV, ",") {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			m, err := catalogModel(router.Catalog{Versions: []router.Version{v}}, id)
			if err != nil {
				return nil, fmt.Errorf("%w (router version %s)", err, v.Version)
			}
			refs = append(refs, m.Ref())
		}
		r.Properties.Routing.Models = &refs
	}
	return json.Marshal(r)
}

// catalogModel finds a model by ID, or by name when the name has one
// version, anywhere in cat.
func catalogModel(cat router.Catalog, id string) (router.Model, error) {
	if m, ok := cat.Model(id); ok {
		return m, nil
	}
	var byName []router.Model
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			if strings.EqualFold(m.Name, id) && !slices.ContainsFunc(byName, func(o router.Model) bool { return o.ID == m.ID }) {
				byName = append(byName, m)
			}
		}
	}
	switch len(byName) {
	case 0:
		return router.Model{}, fmt.Errorf("no model %q in the catalog; `modelrouter models` lists them", id)
	case 1:
		return byName[0], nil
	}
	ids := make([]string, len(byName))
	for i, m := range byName {
		ids[i] = m.ID
	}
	return router.Model{}, &severalVersionsError{name: id, ids: ids}
}

// severalVersionsError is a model name that names more than one model: a
// caller that words its own "no such model" error keeps this one, which
// names the IDs to choose from.
type severalVersionsError struct {
	name string
	ids  []string
}

func (e *severalVersionsError) Error() string {
	return fmt.Sprintf("model name %q has several versions; give one of the IDs %s", e.name, strings.Join(e.ids, ", "))
}

// mgmtClient calls the management API under base + manage.MountPath.
type mgmtClient struct {
	base, key string
	http      *http.Client
	header    http.Header // sent with every request (If-Match)
}

// apiError is an answer other than 2xx, with the server's message.
type apiError struct {
	status        string // "412 Precondition Failed"
	statusCode    int
	code, message string
}

func (e *apiError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("%s: %s", e.status, e.message)
	}
	return fmt.Sprintf("%s (%s): %s", e.status, e.code, e.message)
}

// ifMatchTag is --if-match as the If-Match header takes it. The etag that
// `deployments get` prints carries its quotes, which a shell strips from
// --if-match "..." unless they are escaped: a bare tag is quoted again.
func ifMatchTag(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", usagef("--if-match is empty; give the etag that `modelrouter deployments get NAME` prints, or * for any deployment that exists")
	case v == "*", strings.HasPrefix(v, `"`), strings.HasPrefix(v, "W/"):
		return v, nil
	}
	return `"` + v + `"`, nil
}

// notMatched says, of a 412 to a put ("written"), delete ("deleted"),
// pause ("paused") or resume ("resumed") with If-Match, that nothing was
// done and how to go on, after the server's reason (a changed etag, a
// deployment gone, a weak tag).
func notMatched(err error, done, name string, h http.Header) error {
	var ae *apiError
	tag := h.Get("If-Match")
	if tag == "" || !errors.As(err, &ae) || ae.statusCode != http.StatusPreconditionFailed {
		return err
	}
	next := "make the change again on what it prints, and retry with its etag"
	switch done {
	case "deleted":
		next = "see what it is now, and retry with its etag if it should still go"
	case "paused", "resumed":
		next = "see what it is now, and retry with its etag if it should still be " + done
	}
	return fmt.Errorf("--if-match %s does not match deployment %s, so nothing was %s: %w. Run `modelrouter deployments get %s`, %s",
		tag, name, done, err, name, next)
}

// action POSTs Azure's action (pause or resume) to deployment name, which
// answers the deployment as a GET does, into out. Azure's path is the only
// place the server serves the actions.
func (c *mgmtClient) action(ctx context.Context, name, action string, out any) (int, error) {
	return c.send(ctx, http.MethodPost, c.base+manage.AzureActionPath(name, action), nil, out)
}

// noAction adds, to a 404 that is not the server's unknown deployment, that
// the server at base may be of an earlier release, which has no route for
// the actions: its 404 would otherwise read as a wrong name.
func noAction(err error, base string) error {
	var ae *apiError
	if !errors.As(err, &ae) || ae.statusCode != http.StatusNotFound || ae.code == manage.CodeNotFound {
		return err
	}
	return fmt.Errorf("%w (the server at %s may be of a release without the pause and resume actions: there, `deployments put NAME --paused` pauses, replacing the whole deployment)", err, base)
}

// do sends a request to /deployments[/name] (under manage.MountPath) and
// decodes a 2xx answer into out, as send does.
func (c *mgmtClient) do(ctx context.Context, method, name string, body []byte, out any) (int, error) {
	u := c.base + manage.MountPath + "/deployments"
	if name != "" {
		u += "/" + url.PathEscape(name)
	}
	return c.send(ctx, method, u, body, out)
}

// send sends a request to u and decodes a 2xx answer into out, returning
// its status (a DELETE's 200 or 204 says whether one was deleted); other
// answers become errors carrying the server's message.
func (c *mgmtClient) send(ctx context.Context, method, u string, body []byte, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// Only a failure to reach the server points at the server; an error
		// made on this side before sending carries no hint.
		var opErr *net.OpError
		var urlErr *url.Error
		if errors.As(err, &opErr) || (errors.As(err, &urlErr) && urlErr.Timeout()) {
			return 0, fmt.Errorf("%w (is `modelrouter serve` running at %s?)", err, c.base)
		}
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Code    string `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
			return 0, &apiError{status: resp.Status, statusCode: resp.StatusCode, code: e.Error.Code, message: e.Error.Message}
		}
		return 0, &apiError{status: resp.Status, statusCode: resp.StatusCode, message: strings.TrimSpace(string(raw))}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return resp.StatusCode, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return 0, fmt.Errorf("the server's answer is not JSON: %w", err)
	}
	return resp.StatusCode, nil
}

func writeIndented(w io.Writer, raw json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := buf.WriteTo(w)
	return err
}

// minModelsWidth is the least room the MODELS column needs to stay on its
// deployment's line: the longest catalog IDs are under 30 characters.
const minModelsWidth = 30

// writeDeploymentsTable prints a line per deployment, MODELS last: a
// subset's IDs wrap inside that column, on lines indented to it, so a
// subset of any size leaves the rest of the line where it is. A name may
// have 64 characters, which would leave MODELS too little room in a
// 120-column terminal: only then does each deployment's name stand on a
// line of its own above its other columns, indented, with the number of
// models in a subset and, below, their IDs wrapped.
func writeDeploymentsTable(w io.Writer, list []manage.Resource) error {
	type line struct {
		name, model, version, mode string
		subset                     []string // nil: every model of the version (or not a router)
		sku, capacity              string
	}
	lines := make([]line, len(list))
	for i, r := range list {
		l := line{name: r.Name, model: r.Properties.Model.Name, version: r.Properties.Model.Version, mode: "-"}
		if r.IsRouter() {
			l.mode = "balanced"
			if rt := r.Properties.Routing; rt != nil {
				if rt.Mode != "" {
					l.mode = rt.Mode
				}
			}
			if r.Paused() {
				// Its calls are refused: the list must not show it as
				// one that serves.
				l.mode += " (paused)"
			}
			if rt := r.Properties.Routing; rt != nil {
				if rt.Models != nil {
					l.subset = make([]string, len(*rt.Models))
					for j, ref := range *rt.Models {
						l.subset[j] = models.ModelID(ref.Name, ref.Version)
					}
				}
			}
		}
		sku, capacity := manage.DefaultSKU, manage.DefaultCapacity
		if r.SKU != nil {
			sku, capacity = r.SKU.Name, r.SKU.Capacity
		}
		l.sku, l.capacity = sku, strconv.Itoa(capacity)
		lines[i] = l
	}
	subset := func(l line, listed string) string {
		switch {
		case l.subset != nil:
			return listed
		case l.mode == "-":
			return "-"
		}
		return "all"
	}
	head := []string{"NAME", "MODEL", "VERSION", "MODE", "SKU", "CAPACITY"}
	t := &textTable{left: len(head) + 1}
	t.add("", head)
	for _, l := range lines {
		t.add("", []string{l.name, l.model, l.version, l.mode, l.sku, l.capacity})
	}
	column := 2 * len(head)
	for _, w := range t.widths() {
		column += w
	}
	if room := tableWidth - column; room >= minModelsWidth {
		t = &textTable{left: len(head) + 1}
		t.add("", append(head, "MODELS"))
		for _, l := range lines {
			// The IDs keep their commas, so that a line can be pasted
			// into --models; a wrapped line keeps a character for one.
			ids := []string{strings.Join(l.subset, ",")}
			if displayWidth(ids[0]) > room {
				ids = wrapText(strings.Join(l.subset, " "), room-1)
			}
			for i := range ids {
				ids[i] = strings.ReplaceAll(ids[i], " ", ",")
				if i < len(ids)-1 {
					ids[i] += ","
				}
			}
			t.add("", []string{l.name, l.model, l.version, l.mode, l.sku, l.capacity, subset(l, ids[0])})
			for _, more := range ids[1:] {
				t.add(strings.Repeat(" ", column)+more, nil)
			}
		}
		t.write(w)
		return nil
	}
	const indent = "    "
	t = &textTable{left: 7}
	t.add("NAME", nil)
	t.add("", []string{"", "MODEL", "VERSION", "MODE", "MODELS", "SKU", "CAPACITY"})
	for _, l := range lines {
		t.add(l.name, nil)
		t.add("", []string{"", l.model, l.version, l.mode, subset(l, strconv.Itoa(len(l.subset))), l.sku, l.capacity})
		if len(l.subset) > 0 {
			for _, ids := range wrapText(strings.Join(l.subset, ", "), tableWidth-len(indent)) {
				t.add(indent+ids, nil)
			}
		}
	}
	t.write(w)
	return nil
}
