module casework/bench/loadgen

go 1.21
