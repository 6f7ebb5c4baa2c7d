package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
)

// FeedbackStore keeps a client's rating of an answered request, the label
// a later retraining reads next to the decision; *store.Store implements it.
// With keyID set, only a request made with that key (or with none) may be
// rated: another key's is ENotFound. A logged request that no model
// answered has nothing to rate: EInvalid on request_id.
type FeedbackStore interface {
	RateAnswer(ctx context.Context, keyID, requestID string, score float64, label, comment string) error
}

// feedbackRequest is the body of POST /v1/feedback.
type feedbackRequest struct {
	RequestID string   `json:"request_id"`
	Score     *float64 `json:"score"`
	Label     string   `json:"label"`
	Comment   string   `json:"comment"`
}

// feedback answers POST /v1/feedback: the client rates an answer by the
// x-request-id it came with, or a Responses answer by its id. Feedback
// replaces earlier feedback on the same request.
func (s *Server) feedback(c *gin.Context) {
	if s.cfg.Feedback == nil {
		s.writeError(c, router.Errorf(router.EUnavailable, "feedback needs the decision log, which this server does not have"))
		return
	}
	raw, err := s.readBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var req feedbackRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.writeError(c, feedbackBodyError(err))
		return
	}
	if len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
		// One rating per call: a second object would be dropped unseen.
		s.writeError(c, router.Errorf(router.EInvalid,
			"the body must be one JSON object (one rating per call); it has data after the object"))
		return
	}
	if len(req.RequestID) > maxIDLen {
		// Not echoed: the 404 of an unknown id quotes it.
		s.writeError(c, &router.Error{Code: router.EInvalid, Param: "request_id",
			Message: fmt.Sprintf("request_id must be at most %d characters: the x-request-id of the answer to rate", maxIDLen)})
		return
	}
	if req.Score == nil {
		s.writeError(c, &router.Error{Code: router.EInvalid, Param: "score",
			Message: "score is required: a number from 0 (bad answer) to 1 (good answer)"})
		return
	}
	// How a job the client just read ended may still be on its way to
	// the log, which decides whether it has an answer to rate.
	s.books.settled(c.Request.Context())
	if err := s.cfg.Feedback.RateAnswer(c.Request.Context(), keyIDOf(c), req.RequestID, *req.Score, req.Label, req.Comment); err != nil {
		if router.ErrorCode(err) == router.ENotFound {
			err = &router.Error{Code: router.ENotFound, Param: "request_id",
				Message: fmt.Sprintf("no logged request has x-request-id %q (or made the Responses answer with that id)", req.RequestID)}
		}
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"object": "feedback", "request_id": req.RequestID, "score": *req.Score})
}

// feedbackShape is what a feedback body must be, for the messages that
// refuse one.
const feedbackShape = "a JSON object with request_id, score (0 to 1) and optional label and comment"

// feedbackBodyError words a body the decoder refused as the API's other
// checks word theirs: a member of the wrong type is named in param with
// the JSON type it takes ("score must be a number ..."), not with the Go
// types encoding/json names (feedbackRequest.score of type float64).
func feedbackBodyError(err error) error {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field == "score":
		// Also a number too large for a float64 (1e999).
		return &router.Error{Code: router.EInvalid, Param: "score",
			Message: "score must be a number from 0 (bad answer) to 1 (good answer)"}
	case errors.As(err, &te) && te.Field != "":
		return &router.Error{Code: router.EInvalid, Param: te.Field, Message: te.Field + " must be a string"}
	case errors.As(err, &te):
		return router.Errorf(router.EInvalid, "the body must be %s, not a JSON %s", feedbackShape, te.Value)
	case errors.Is(err, io.EOF):
		return router.Errorf(router.EInvalid, "the body is empty: it must be %s", feedbackShape)
	}
	return router.Errorf(router.EInvalid, "the body must be %s: %v", feedbackShape, err)
}
