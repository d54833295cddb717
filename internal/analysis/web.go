package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/rollout"
)

// maxBody bounds what a check reads of an answer.
const maxBody = 4 << 20

// fetch GETs url (with host as the Host header when set) within the
// check's timeout and returns the status and body.
func fetch(ctx context.Context, client *http.Client, url, host string, timeout int64) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, durationOr(timeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if host != "" {
		req.Host = host
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	return res.StatusCode, body, err
}

// Web measures a web check of url (the check's URL with placeholders expanded).
func Web(ctx context.Context, client *http.Client, c platformv1.WebCheck, url string) (rollout.Outcome, string) {
	status, body, err := fetch(ctx, client, url, c.Host, int64(c.Timeout.Duration))
	if err != nil {
		return rollout.Inconclusive, "request failed: " + err.Error()
	}
	codes := c.StatusCodes
	if len(codes) == 0 {
		codes = []int32{http.StatusOK}
	}
	if !slices.Contains(codes, int32(status)) {
		return rollout.Failed, fmt.Sprintf("status %d, want %v", status, codes)
	}
	if len(c.JSON) == 0 {
		return rollout.Successful, fmt.Sprintf("status %d", status)
	}
	var doc any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return rollout.Inconclusive, fmt.Sprintf("status %d but the body is not JSON", status)
	}
	for _, cond := range c.JSON {
		v, ok := lookup(doc, cond.Path)
		if !ok {
			return rollout.Inconclusive, fmt.Sprintf("the body has no field %s", cond.Path)
		}
		holds, msg, decided := compare(v, cond)
		if !decided {
			return rollout.Inconclusive, msg
		}
		if !holds {
			return rollout.Failed, msg
		}
	}
	return rollout.Successful, fmt.Sprintf("status %d, %d JSON condition(s) hold", status, len(c.JSON))
}

// lookup follows a dotted path through objects and arrays.
func lookup(doc any, path string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// compare judges one condition; decided is false when the field cannot be
// compared (a number expected and something else found).
func compare(v any, c platformv1.JSONCondition) (holds bool, msg string, decided bool) {
	text := fmt.Sprint(v)
	if c.Equals != nil {
		return text == *c.Equals, fmt.Sprintf("%s = %q, want %q", c.Path, text, *c.Equals), true
	}
	n, ok := v.(json.Number)
	if !ok {
		return false, fmt.Sprintf("%s is %q, not a number", c.Path, text), false
	}
	got, err := n.Float64()
	if err != nil {
		return false, fmt.Sprintf("%s is %q, not a number", c.Path, text), false
	}
	if c.LessThan != nil {
		limit, _ := strconv.ParseFloat(string(*c.LessThan), 64)
		return got < limit, fmt.Sprintf("%s = %s, want below %s", c.Path, text, *c.LessThan), true
	}
	limit, _ := strconv.ParseFloat(string(*c.GreaterThan), 64)
	return got > limit, fmt.Sprintf("%s = %s, want above %s", c.Path, text, *c.GreaterThan), true
}
