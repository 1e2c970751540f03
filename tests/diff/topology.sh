# topology.sh - sourced by the differential tests: the nmsim scenario of a
# topology.  Host processes for vale and pipe; for vale-csb and pipe-csb
# ptnet guests whose rings go through the CSB to busy-polling kloops, as
# the shim's and the module's -csb legs run them.
diff_scenario() {
	case $1 in
	vale | pipe) echo "host-$1" ;;
	vale-csb | pipe-csb) echo "ptnet-${1%-csb}-busy" ;;
	*) echo "unknown topology $1" >&2; return 2 ;;
	esac
}
