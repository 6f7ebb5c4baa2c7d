package server

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/itemid"
	"github.com/modelrouter/modelrouter/server/openai"
)

// resolveKeptItems replaces each item_reference to an output item of an
// answer the gateway keeps (Claude's: the item's id carries the answer's,
// see itemid) with the item itself, as continueKept sends a kept
// conversation: no provider knows such an id, and with the item in place
// any model can answer. OpenAI's clients send an earlier answer back by
// reference when they expect the server to have stored it (the Vercel AI
// SDK's Responses model does, with store on, its default). References to
// ids the gateway does not keep stay as they are: OpenAI stores those.
//
// It returns the kept answer that holds the newest resolved item, which
// the call then prefers to go on with, or nil when none was resolved.
func (s *Server) resolveKeptItems(ctx context.Context, r *routed) (*StoredResponse, error) {
	ours := false
	for _, id := range r.req.ItemReferences {
		if _, ok := itemid.Response(id); ok {
			ours = true
			break
		}
	}
	if !ours {
		return nil, nil
	}
	// All the answers named are read in one query, before any item is
	// replaced: a body of 20 MB holds some 450,000 references, each to a
	// distinct answer if the client likes, and a query each would hold a
	// database connection for seconds. Each answer is made into items
	// once, when first named, however many of its items are.
	type answer struct {
		kept    StoredResponse
		items   map[string]json.RawMessage // nil when not kept
		foreign bool                       // kept, for another key
	}
	var kept map[string]StoredResponse
	var foreign map[string]bool // being written, for another key
	answers := map[string]*answer{}
	var newest *StoredResponse
	added := int64(0)
	raw, err := openai.ResolveReferences(r.own, func(ids []string) error {
		var respIDs []string
		seen := map[string]bool{}
		for _, id := range ids {
			if respID, ok := itemid.Response(id); ok && !seen[respID] {
				seen[respID] = true
				respIDs = append(respIDs, respID)
			}
		}
		if len(respIDs) == 0 {
			return nil
		}
		var err error
		if foreign, err = s.keeping.wait(ctx, s.mayUseAs(r.keyID), respIDs...); err != nil {
			return err
		}
		kept, err = s.cfg.Responses.KeptResponses(ctx, respIDs)
		return err
	}, func(id string) (json.RawMessage, error) {
		respID, ok := itemid.Response(id)
		if !ok {
			return nil, nil
		}
		a := answers[respID]
		if a == nil {
			a = &answer{}
			answers[respID] = a
			k, found := kept[respID]
			switch {
			case foreign[respID] || found && !s.mayUse(k.KeyID, r.keyID):
				a.foreign = true
			case found:
				var err error
				if a.items, err = openai.OutputItemsAsInput(keptBody(k)); err != nil {
					return nil, err
				}
				a.kept = k
			}
		}
		switch {
		case a.foreign:
			// Another key's answer is as unknown as one never made.
			return nil, itemNotFound(id)
		case a.items == nil:
			return nil, nil
		}
		item, ok := a.items[id]
		if !ok {
			return nil, itemNotFound(id)
		}
		// The rewritten body is bounded as the client's own is: a few
		// bytes of reference must not make the gateway build and send a
		// body of any size.
		if added += int64(len(item)); added > s.cfg.MaxBodyBytes {
			return nil, &router.Error{Code: router.ETooLarge, Param: "input", Message: fmt.Sprintf(
				"the items input names by item_reference add up to more than the %d-byte body limit", s.cfg.MaxBodyBytes)}
		}
		newest = &a.kept
		return item, nil
	})
	if err != nil || newest == nil {
		return nil, err
	}
	if int64(len(raw)) > s.cfg.MaxBodyBytes {
		return nil, &router.Error{Code: router.ETooLarge, Param: "input", Message: fmt.Sprintf(
			"with the items it names by item_reference in place, the call makes a %d-byte body, over the %d-byte limit",
			len(raw), s.cfg.MaxBodyBytes)}
	}
	req, err := openai.Parse(openai.Responses, raw)
	if err != nil {
		return nil, err
	}
	// own too: the kept form of this call's input, which a later
	// previous_response_id replays, carries the items themselves.
	r.raw, r.own, r.req = raw, raw, req
	return newest, nil
}

// itemNotFound refuses an item_reference to an item the caller has no
// answer with, in OpenAI's words.
func itemNotFound(id string) error {
	return &router.Error{Code: router.ENotFound, Param: "input",
		Message: fmt.Sprintf("Item with id '%s' not found.", id)}
}
