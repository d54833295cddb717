package rollout

import platformv1 "bellwork.dev/bellwork/api/v1"

// DesiredState is what the colour Deployments and the Services should be,
// derived from status alone, so a restarted operator builds the same.
type DesiredState struct {
	// Colors says each colour's replicas, and its template when the colour
	// holds a known version. A colour absent from the map should be left
	// as it is if it exists (at zero replicas) and not be created.
	Colors map[platformv1.Color]DesiredColor
	// Active and Preview are the colours the Services select; empty
	// selects no pod.
	Active, Preview platformv1.Color
}

// DesiredColor is one colour's Deployment.
type DesiredColor struct {
	Version  platformv1.ColorStatus
	Replicas int32
}

// Desired derives the objects' state from the spec and the status Step wrote.
func Desired(spec platformv1.DeploymentSpec, st platformv1.DeploymentStatus) DesiredState {
	spec = spec.WithDefaults()
	d := DesiredState{Colors: map[platformv1.Color]DesiredColor{}}
	if st.Active != nil {
		d.Active, d.Preview = st.Active.Color, st.Active.Color
		d.Colors[st.Active.Color] = DesiredColor{Version: *st.Active, Replicas: spec.Replicas}
	}
	if st.Preview != nil {
		d.Preview = st.Preview.Color
	}
	r := st.Rollout
	if r == nil {
		return d
	}
	version := platformv1.ColorStatus{Color: r.Color, Revision: r.Revision, Image: r.Image, TemplateHash: r.TemplateHash}
	switch {
	case ended(r.Step):
		if r.Draining && (st.Active == nil || st.Active.Color != r.Color) {
			d.Colors[r.Color] = DesiredColor{Version: version, Replicas: spec.Replicas}
		} else if _, ok := d.Colors[r.Color]; !ok {
			d.Colors[r.Color] = DesiredColor{Version: version, Replicas: 0}
		}
	case prePromotion(r.Step):
		replicas := int32(0)
		switch r.Step {
		case platformv1.StepPreview, platformv1.StepPrePromotionAnalysis, platformv1.StepAwaitingPromotion:
			replicas = spec.PreviewReplicas
		case platformv1.StepPromoting:
			replicas = spec.Replicas
		}
		d.Colors[r.Color] = DesiredColor{Version: version, Replicas: replicas}
	case r.Previous != nil && r.Previous.Color != d.Active:
		keep := r.Step == platformv1.StepPostPromotionAnalysis || r.Step == platformv1.StepScaleDown
		replicas := int32(0)
		if keep {
			replicas = spec.Replicas
		}
		d.Colors[r.Previous.Color] = DesiredColor{Version: *r.Previous, Replicas: replicas}
	}
	return d
}

func ended(s platformv1.RolloutStep) bool {
	switch s {
	case platformv1.StepCompleted, platformv1.StepFailed, platformv1.StepAborted, platformv1.StepRolledBack:
		return true
	}
	return false
}

// prePromotion says the step comes before the active Service switches.
func prePromotion(s platformv1.RolloutStep) bool {
	switch s {
	case platformv1.StepWaitingForWindow, platformv1.StepExpandMigration, platformv1.StepPreview,
		platformv1.StepPrePromotionAnalysis, platformv1.StepAwaitingPromotion, platformv1.StepPromoting:
		return true
	}
	return false
}
