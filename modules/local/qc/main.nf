process QC {
    tag "${meta.id}"
    label 'process_medium'

    container "${params.container}"

    input:
    tuple val(meta), path(input)

    output:
    tuple val(meta), path("${prefix}.qc.h5ad"), emit: h5ad
    tuple val(meta), path("${prefix}.qc.json"), emit: json
    path "versions.yml"                       , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    if ("${input}" == "${prefix}.qc.h5ad") error "QC: input and output are both ${input}; set ext.prefix"
    """
    export OMP_NUM_THREADS=${task.cpus} MKL_NUM_THREADS=${task.cpus} NUMBA_NUM_THREADS=${task.cpus}
    scnetflow_qc.py \\
        ${input} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scnetflow: \$(python3 -c 'import scnetflow; print(scnetflow.__version__)')
        python: \$(python3 -c 'import platform; print(platform.python_version())')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.qc.h5ad
    touch ${prefix}.qc.json
    touch versions.yml
    """
}
