package promeval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"

	"bellwork.dev/bellwork/internal/alerting"
)

// Parse checks an expression the way the engine will read it; its error is
// the parser's own message (admission shows it).
func Parse(expr string) error {
	_, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	return err
}

// Local evaluates expressions over a Queryable (the Store).
type Local struct {
	Engine    *promql.Engine
	Queryable storage.Queryable
}

// NewEngine is a PromQL engine bounded for alert evaluation: a query may
// touch at most maxSamples samples and run for at most timeout.
func NewEngine(maxSamples int, timeout time.Duration) *promql.Engine {
	return promql.NewEngine(promql.EngineOpts{MaxSamples: maxSamples, Timeout: timeout, LookbackDelta: 5 * time.Minute})
}

// Query evaluates expr at the instant at. A scalar result counts as one
// unlabelled sample; a string result is an error.
func (l *Local) Query(ctx context.Context, expr string, at time.Time) ([]alerting.Sample, error) {
	q, err := l.Engine.NewInstantQuery(ctx, l.Queryable, nil, expr, at)
	if err != nil {
		return nil, fmt.Errorf("expression: %w", err)
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return nil, fmt.Errorf("evaluate: %w", res.Err)
	}
	return toSamples(res.Value)
}

func toSamples(v parser.Value) ([]alerting.Sample, error) {
	switch v := v.(type) {
	case promql.Vector:
		out := make([]alerting.Sample, 0, len(v))
		for _, s := range v {
			out = append(out, alerting.Sample{Labels: s.Metric.Map(), Value: s.F})
		}
		return out, nil
	case promql.Scalar:
		return []alerting.Sample{{Labels: alerting.Labels{}, Value: v.V}}, nil
	case nil:
		return nil, nil
	}
	return nil, errors.New("the expression must return an instant vector or a scalar, not " + string(v.Type()))
}
