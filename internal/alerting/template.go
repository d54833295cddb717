package alerting

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/template"
)

// templateDefs are the variables Prometheus' alerting rules define, so an
// annotation written for Prometheus reads the same here.
var templateDefs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

// Expand fills an annotation with the instance's labels and value, using
// Prometheus' template engine and functions (humanize, humanizeDuration,
// …). Functions that query Prometheus are not available. A template that
// fails says so in its text, as Prometheus does, rather than vanishing.
func Expand(ctx context.Context, name, text string, labels Labels, value float64, now time.Time) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	data := template.AlertTemplateData(labels, nil, "", promql.Sample{F: value})
	noQueries := func(context.Context, string, time.Time) (promql.Vector, error) {
		return nil, fmt.Errorf("queries are not available in annotations")
	}
	ex := template.NewTemplateExpander(ctx, templateDefs+text, "__alert_"+name, data, model.TimeFromUnixNano(now.UnixNano()), noQueries, nil, nil)
	out, err := ex.Expand()
	if err != nil {
		return fmt.Sprintf("<error expanding template: %s>", err)
	}
	return out
}

// Annotations expands every annotation of a rule for one instance.
func Annotations(ctx context.Context, name string, annotations map[string]string, labels Labels, value float64, now time.Time) map[string]string {
	out := make(map[string]string, len(annotations))
	for k, v := range annotations {
		out[k] = Expand(ctx, name, v, labels, value, now)
	}
	return out
}
