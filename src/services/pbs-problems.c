/*
 * What needs attention in a Proxmox Backup Server snapshot: backup groups
 * with no backup in 24 hours, datastores with an error, nearly full or
 * filling up within two weeks.
 */
#include "config.h"

#include <time.h>

#include "core/problems.h"
#include "services/services.h"

#define BACKUP_MAX_AGE_S (24 * 3600)
#define FULL_WARN_DAYS 14
#define USAGE_WARN 0.90

void
pbs_problems(const json_t *data, json_t *out)
{
	const char *store, *group, *err;
	const json_t *v, *last;
	long long now = (long long)time(NULL), age;
	json_int_t days;
	size_t i;

	json_array_foreach(json_object_get(data, "groups"), i, v) {
		store = json_string_value(json_object_get(v, "store"));
		group = json_string_value(json_object_get(v, "group"));
		if (store == NULL || group == NULL)
			continue;
		last = json_object_get(v, "last_backup");
		if (!json_is_integer(last)) {
			problem_add(out, PROBLEM_WARN, "backup_missing", group,
			    "%s on %s has no backup", group, store);
			continue;
		}
		age = now - (long long)json_integer_value(last);
		if (age > BACKUP_MAX_AGE_S)
			problem_add(out, PROBLEM_WARN, "backup_old", group,
			    "last backup of %s on %s is %lld h old", group,
			    store, age / 3600);
	}
	json_array_foreach(json_object_get(data, "datastores"), i, v) {
		store = json_string_value(json_object_get(v, "store"));
		if (store == NULL)
			store = json_string_value(json_object_get(v, "name"));
		if (store == NULL)
			continue;
		if ((err = json_string_value(json_object_get(v, "error"))) !=
		    NULL)
			problem_add(out, PROBLEM_CRIT, "datastore_error", store,
			    "datastore %s: %s", store, err);
		else if (json_real_value(json_object_get(v, "usage")) >=
		    USAGE_WARN)
			problem_add(out, PROBLEM_WARN, "datastore_full", store,
			    "datastore %s is %.0f%% full", store,
			    json_real_value(json_object_get(v, "usage")) * 100);
		else if (json_is_integer(json_object_get(v, "days_to_full")) &&
		    (days = json_integer_value(json_object_get(v,
		    "days_to_full"))) < FULL_WARN_DAYS)
			problem_add(out, PROBLEM_WARN, "datastore_filling",
			    store, "datastore %s fills up in %lld days", store,
			    (long long)days);
	}
}
