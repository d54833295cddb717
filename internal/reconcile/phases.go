package reconcile

import "context"

// Phase is one step of a controller's pass: a name, for the log line of a
// pass that fails in it, and the work, a method of the controller.
type Phase[P any] struct {
	Name string
	Run  func(context.Context, P) error
}

// Phased is a controller's pass type; embedding Pass makes one.
type Phased interface{ Enter(phase string) }

// RunPhases runs phases in order on p, entering each before it runs, and
// stops at the first error, which the caller turns into a result.
func RunPhases[P Phased](ctx context.Context, p P, phases []Phase[P]) error {
	for _, ph := range phases {
		p.Enter(ph.Name)
		if err := ph.Run(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// Enter records the phase the pass is in.
func (p *Pass) Enter(phase string) { p.phase = phase }

// Phase is the phase the pass is in (or ended in).
func (p *Pass) Phase() string { return p.phase }
