#!/usr/bin/env bats
# layout.bats - the rules the source layout keeps (doc/ARCHITECTURE.md,
# "Layout rules"): a stage never includes another stage, lib never includes a
# stage, the admin command (scripts/) includes only its own headers and the
# flat lib's, the stages that work offline never link the network libraries,
# and no executable links ICU itself.

load helper

STAGES=(extract transform reconcile apply)
# One folder per backend under lib/ (doc/ARCHITECTURE.md, "Backends").
BACKENDS=(lib/ews lib/graph lib/interaction)

# includes DIR: every quoted #include of DIR's sources, "FILE HEADER" a line.
includes() {
	local -a files
	mapfile -t files < <(compgen -G "$ROOT/$1/*.[ch]"; compgen -G "$ROOT/$1/*.cc")
	grep -Ho '^#include "[^"]*"' "${files[@]}" | sed -e "s|^$ROOT/||" -e 's|:#include "\(.*\)"$| \1|'
}

@test "a stage and scripts/ include only their own headers and lib's; lib includes only its own" {
	local dir file header bad=() seen=0
	for dir in "${STAGES[@]}" scripts lib "${BACKENDS[@]}"; do
		while read -r file header; do
			seen=$((seen + 1))
			case "$dir:$header" in
			lib/*:*/*) bad+=("$file: \"$header\" reaches outside its backend's folder") ;;
			lib:*/*) bad+=("$file: \"$header\": the flat lib never includes a backend") ;;
			scripts:*/*) bad+=("$file: \"$header\": the admin command includes only the flat lib's headers") ;;
			*:*/*) bad+=("$file: \"$header\": a stage reaches a backend only through backend.h") ;;
			# A table the build generates ($(BUILD)/gen/NAME.inc), which the Makefile must make.
			lib:*.inc) grep -qF "/gen/$header" "$ROOT/Makefile" ||
				bad+=("$file: \"$header\" is not lib's, nor a table the Makefile generates") ;;
			*) if [ ! -e "$ROOT/$dir/$header" ] && { [ "$dir" = lib ] || [ ! -e "$ROOT/lib/$header" ]; }; then
				bad+=("$file: \"$header\" is neither its folder's nor lib's")
			fi ;;
			esac
		done < <(includes "$dir")
	done
	# The walk saw the sources: an empty list proves nothing.
	[ "$seen" -gt 100 ]
	[ "${#bad[@]}" -eq 0 ] || { printf '%s\n' "${bad[@]}"; false; }
}

@test "no stage names a backend: none of its functions, nor its table entries" {
	local -a names files
	local dir
	# Every function a backend's folder defines for others (not static), and each backend's table entries.
	for dir in "${BACKENDS[@]}"; do
		mapfile -t -O "${#names[@]}" names < <(grep -h '^[a-z][^(]*\bois_[a-z0-9_]*(' "$ROOT/$dir"/*.c |
			grep -v '^static' | sed 's/^[^(]*\b\(ois_[a-z0-9_]*\)(.*/\1/')
	done
	mapfile -t -O "${#names[@]}" names < <(sed -n 's/^OIS_BACKEND(\([a-z0-9_]*\),.*/ois_backend_\1\nois_map_\1/p' \
		"$ROOT/lib/backends.def")
	[ "${#names[@]}" -gt 50 ]
	for dir in "${STAGES[@]}"; do
		mapfile -t -O "${#files[@]}" files < <(compgen -G "$ROOT/$dir/*.[ch]")
	done
	run grep -nwF "${names[@]/#/-e}" "${files[@]}"
	[ "$status" -eq 1 ] || { echo "$output"; false; }
}

@test "transform and reconcile never link libcurl or libxml2" {
	local stage
	for stage in transform reconcile; do
		run ldd "$BIN/oisync-$stage"
		assert_success
		assert_line --partial libjson-c
		refute_line --partial libcurl
		refute_line --partial libxml2
		# Nor open them on a first call (lib/lazy_curl.c, lib/lazy_xml.c).
		run nm "$BIN/oisync-$stage"
		assert_success
		refute_line --regexp ' curl_easy_perform$'
		refute_line --regexp ' xmlReadMemory$'
	done
	# And the check can see them where they are used: extract opens both
	# on their first call, so no executable links them at start.
	run nm "$BIN/oisync-extract"
	assert_line --regexp ' T curl_easy_perform$'
	assert_line --regexp ' T xmlReadMemory$'
	run ldd "$BIN/oisync-extract"
	assert_line --partial libjson-c
	refute_line --partial libcurl
	refute_line --partial libxml2
}

@test "no executable links ICU itself: the time-zone tables are generated at build time" {
	local bin
	for bin in "$BIN"/oisync "${STAGES[@]/#/$BIN/oisync-}"; do
		run readelf -d "$bin"
		assert_success
		assert_output --partial '(NEEDED)'
		refute_output --partial libicu
	done
	# And the check can see ICU where it is linked: the generator of those tables.
	run readelf -d "$OISYNC_BUILD/scripts/gen_windows_zones"
	assert_output --partial libicuuc
}
