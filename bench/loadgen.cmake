# sfud-loadgen (bench/loadgen/): simulated WebRTC peers against a running sfud. See
# bench/loadgen/README.md.
include(${CMAKE_CURRENT_LIST_DIR}/loadgen/targets.cmake)
