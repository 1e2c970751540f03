#!/usr/bin/env bash
# slurm_sweep.sh NMSIM SCENARIOS: start a single-node Slurm cluster on
# localhost (munged, slurmctld, slurmd in a temporary directory, no
# systemd), submit the 4-task array that 'nmsim sweep --slurm' writes,
# wait, merge, compare with the local sweep, and tear everything down by
# PID even on failure (/work/shared/notes/slurm-single-node.md).
# NMSIM_SLURM_PORT sets slurmctld's port (slurmd's is the next).
set -euo pipefail
nmsim=$1 S=$2
for b in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
	command -v "$b" > /dev/null || { echo "slurm: $b missing (run scripts/deps)"; exit 1; }
done
port=${NMSIM_SLURM_PORT:-26817}
t0=$(date +%s%N)
d=$(mktemp -d /tmp/nmsim-slurm.XXXXXX)
chmod 0755 "$d"
pids=()
teardown() {
	set +e
	[ -n "${job:-}" ] && timeout 10 scancel "$job" 2> /dev/null
	sleep 0.5
	for p in "${pids[@]}"; do kill -TERM "$p" 2> /dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2> /dev/null
	done
	rm -rf "$d"
}
trap teardown EXIT
trap 'exit 1' TERM INT HUP
mungekey --create --keyfile="$d/munge.key" 2> /dev/null || mungekey -c -k "$d/munge.key"
chmod 0600 "$d/munge.key"
munged --foreground --force --key-file="$d/munge.key" --socket="$d/munge.sock" \
	--pid-file="$d/munged.pid" --log-file="$d/munged.log" --seed-file="$d/munge.seed" &
pids+=($!)
host=$(hostname -s)
mem=$(slurmd -C 2> /dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
mkdir -p "$d/state" "$d/spool"
cat > "$d/slurm.conf" <<CONF
ClusterName=nmsim
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SchedulerParameters=batch_sched_delay=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=${mem:-1000} State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$d/slurm.conf
for _ in $(seq 50); do [ -S "$d/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -i -f "$SLURM_CONF" > "$d/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" > "$d/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 150); do
	[ "$(sinfo -h -N -o %t 2> /dev/null)" = idle ] && break
	[ "$i" = 150 ] && { echo "slurm: node not idle"; tail -5 "$d"/slurm*.log; exit 1; }
	sleep 0.2
done
sweep=(sweep "$S/host-vale.yaml" endpoints.tx.batch=8,64 --seeds 1..3 --set trace.packets=2000)
cd "$d"
"$nmsim" "${sweep[@]}" --csv local.csv > local.txt
"$nmsim" "${sweep[@]}" -j 4 --slurm "$d/job"
job=$(sbatch --parsable "$d/job/sweep.sbatch")
job=${job%%;*}
for i in $(seq 600); do
	[ -z "$(squeue -h -j "$job" 2> /dev/null)" ] && break
	[ "$i" = 600 ] && { echo "slurm: job $job did not end"; exit 1; }
	sleep 0.1
done
states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z]* .*ExitCode=[0-9:]*' | sed 's/ .*ExitCode=/ /' | sort | uniq -c)
echo "$states"
n=$(scontrol -o show job "$job" | grep -c 'JobState=COMPLETED.*ExitCode=0:0' || true)
[ "$n" = 4 ] || { echo "slurm: expected 4 completed tasks"; cat "$d"/job/slurm-*.out; exit 1; }
"$nmsim" merge "$d/job" --csv merged.csv > merged.txt
cmp local.txt merged.txt && cmp local.csv merged.csv
cat merged.txt
ms=$((($(date +%s%N) - t0) / 1000000))
echo "slurm: 4-task array merged equals the local sweep in $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
