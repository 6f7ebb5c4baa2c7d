package server

import (
	"context"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// The gateway calls OpenAI with one key of its own, so OpenAI resolves an
// item's id (an item_reference's, or one an item sent back with its content
// carries) or a conversation id for whoever sends it. Client keys
// are told apart here instead: the gateway records which key it gave each
// output item id (in an answer or a read of one) and which key first used
// each conversation, and refuses those ids to every other key as OpenAI
// refuses another project's. An id it never recorded (made before this
// version, elsewhere, or given only outside the gateway, as conversations
// are: the gateway makes none) is passed: refusing it would refuse its
// rightful users, whom the gateway cannot tell.

// IDOwners is the durable record of which client key was given each id of
// state a provider stores (see [Config.Owners]).
type IDOwners interface {
	// OtherOwners returns the key each of ids was recorded for, where
	// that is not keyID; ids never recorded are absent.
	OtherOwners(ctx context.Context, keyID string, ids []string) (map[string]string, error)
	// OwnIDs records ids as keyID's, unless another key has them: for a
	// read of a stored answer, which writes no decision row.
	OwnIDs(ctx context.Context, keyID string, ids []string) error
}

// checkOwned refuses a Responses call whose input names an id given to
// another client key, by item_reference or with the item itself (a
// reasoning item sent back with its id: OpenAI reads the stored item by
// it), or whose conversation is another key's. An agent's long
// conversation names hundreds of ids a turn: those this process has not
// seen are looked up at once, in one query.
func (s *Server) checkOwned(ctx context.Context, r *routed) error {
	if !s.cfg.RequireKeys {
		return nil
	}
	ids := r.req.InputItemIDs
	if r.req.Conversation != "" {
		ids = append(ids[:len(ids):len(ids)], r.req.Conversation)
	}
	if len(ids) == 0 {
		return nil
	}
	// Only the ids the caller may not name are kept: most are its own.
	var foreign map[string]bool
	noteForeign := func(id, owner string) {
		if !s.mayUse(owner, r.keyID) {
			if foreign == nil {
				foreign = map[string]bool{}
			}
			foreign[id] = true
		}
	}
	unseen := make([]string, 0, len(ids))
	for _, id := range ids {
		if a, ok := s.owned.get(id); ok {
			noteForeign(id, a.KeyID)
		} else {
			unseen = append(unseen, id)
		}
	}
	if len(unseen) > 0 && s.cfg.Owners != nil {
		logged, err := s.cfg.Owners.OtherOwners(ctx, r.keyID, unseen)
		if err != nil {
			// The owner cannot be checked, and the provider would
			// resolve the id for anyone.
			return err
		}
		for id, key := range logged {
			noteForeign(id, key)
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	for _, id := range ids { // the first the input names is the one refused
		switch {
		case !foreign[id]:
		case id == r.req.Conversation:
			return &router.Error{Code: router.ENotFound, Param: "conversation",
				Message: fmt.Sprintf("Conversation with id '%s' not found.", id)}
		default:
			return itemNotFound(id)
		}
	}
	return nil
}

// noteOwned gives the key of a Responses call that was answered the ids
// the answer gave it and the conversation it used, in memory and in the
// call's decision row, which records them durably.
func (s *Server) noteOwned(c *gin.Context, rec *router.Record, r *routed, out upstream.Outcome) {
	key := keyIDOf(c)
	if key == "" || out.Answered.ID == "" || out.Refused {
		return
	}
	ids := out.ItemIDs
	if r.req.NoStore {
		// OpenAI keeps nothing of the answer: no key can name its items.
		ids = nil
	}
	if r.req.Conversation != "" {
		ids = append(ids[:len(ids):len(ids)], r.req.Conversation)
	}
	for _, id := range ids {
		s.noteOwner(id, key)
	}
	rec.OwnedIDs = ids
}

// noteOwner remembers id as key's unless another key has it: the first
// key keeps a conversation, as the durable record does.
func (s *Server) noteOwner(id, key string) {
	if a, ok := s.owned.get(id); !ok || a.KeyID == key {
		s.owned.put(id, Answer{KeyID: key})
	}
}

// keepTimeout bounds the write of the item ids a read gave its key: one
// statement, which waits the store's busy timeout (5 s) at most while
// another process holds the lock.
const keepTimeout = 5 * time.Second

// ownRead records the ids a read of stored answer answerID gave the key
// (a background answer's items, which its call never saw; input_items'):
// in memory at once, so this process refuses them to other keys from now
// on, and durably once the read is answered, on the bookings' worker
// (bookings.go), as a database another process holds locked would keep
// the read's response from ending for up to busy_timeout. A failed write
// is logged: the read itself went out.
func (s *Server) ownRead(answerID, key string, ids []string) {
	if key == "" || len(ids) == 0 {
		return
	}
	fresh := false
	for _, id := range ids {
		if a, ok := s.owned.get(id); !ok || a.KeyID != key {
			fresh = true
		}
		s.noteOwner(id, key)
	}
	if !fresh || s.cfg.Owners == nil {
		return // a poll that repeats what this process knows writes nothing
	}
	s.books.add(s, booking{what: "owned item ids", id: answerID, write: func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, keepTimeout)
		defer cancel()
		if err := s.cfg.Owners.OwnIDs(ctx, key, ids); err != nil {
			s.log.Warn("could not record the item ids a read gave its key; after a restart other keys may name them",
				"response_id", answerID, "err", err)
		}
	}})
}
