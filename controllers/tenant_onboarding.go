package controllers

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	platformv1 "bellwork.dev/bellwork/api/v1"
	"bellwork.dev/bellwork/internal/builders"
	"bellwork.dev/bellwork/internal/pgadmin"
	"bellwork.dev/bellwork/pkg/directory"
)

// reconcileOnboarding fills the onboarding checklist: milestones the LMS
// reports in operator_status (read with the readonly role), and those the
// operator sees itself: schools synced, backups and alerts configured.
func (r *TenantReconciler) reconcileOnboarding(ctx context.Context, p *tenantPass) error {
	lms, err := r.readLMSStatus(ctx, p)
	if err != nil {
		// The checklist is informative: keep the last one and look again.
		log.FromContext(ctx).Info("Could not read operator_status; keeping the last checklist", "error", err.Error())
		p.WakeIn(r.Options.StatusInterval)
		return nil
	}
	ns := client.InNamespace(p.tenant.NamespaceName())
	var backups platformv1.BackupPolicyList
	if err := r.Client.List(ctx, &backups, ns); err != nil {
		return err
	}
	var alerts platformv1.AlertRuleList
	if err := r.Client.List(ctx, &alerts, ns); err != nil {
		return err
	}
	ours := map[string]bool{
		platformv1.OnboardingSchoolsSynced:     schoolsSynced(p.published, lms),
		platformv1.OnboardingBackupsConfigured: len(backups.Items) > 0,
		platformv1.OnboardingAlertsConfigured:  len(alerts.Items) > 0,
	}
	previous := map[string]platformv1.OnboardingStep{}
	for _, s := range p.before.Onboarding {
		previous[s.Name] = s
	}
	var steps []platformv1.OnboardingStep
	done := 0
	for _, name := range platformv1.OnboardingMilestones {
		step := platformv1.OnboardingStep{Name: name}
		if reached, ok := ours[name]; ok {
			if reached {
				step.Done = true
				step.Time = previous[name].Time
				if step.Time == nil {
					step.Time = &metav1.Time{Time: p.Now}
				}
			}
		} else if m, ok := lms.Milestones[name]; ok {
			step.Done = true
			step.Time = &metav1.Time{Time: m.ReachedAt.Truncate(time.Second)}
		}
		if step.Done {
			done++
		}
		steps = append(steps, step)
	}
	p.status.Onboarding = steps
	p.status.OnboardingProgress = fmt.Sprintf("%d/%d", done, len(steps))
	if done < len(steps) {
		p.WakeIn(r.Options.StatusInterval)
	}
	return nil
}

// readLMSStatus reads operator_status through the tenant's readonly role.
func (r *TenantReconciler) readLMSStatus(ctx context.Context, p *tenantPass) (*directory.Status, error) {
	ro := p.creds[builders.CredentialReadonly]
	return readStatusAs(ctx, p.connector, &r.Platform, p.top, p.names.Database, ro.User, ro.Password)
}

func readStatusAs(ctx context.Context, c pgadmin.Connector, o *Platform, top builders.Topology, db, user, password string) (*directory.Status, error) {
	host, port := o.dialAddress(top.DirectHost, top.DirectPort)
	ssl := top.SSLMode
	if top.Provider != builders.ProviderExternal {
		ssl = "prefer"
	}
	s, err := c.Open(ctx, pgadmin.Target{Host: host, Port: port, Database: db, User: user, Password: password, SSLMode: ssl})
	if err != nil {
		return nil, err
	}
	defer s.Close(ctx)
	return s.ReadStatus(ctx)
}

// schoolsSynced: at least one school is published and the LMS holds the
// published version of every one.
func schoolsSynced(published []platformv1.School, lms *directory.Status) bool {
	if len(published) == 0 {
		return false
	}
	for i := range published {
		st, ok := lms.Schools[published[i].Spec.Code]
		if !ok || st.Hash != builders.SchoolHash(&published[i]) {
			return false
		}
	}
	return true
}
