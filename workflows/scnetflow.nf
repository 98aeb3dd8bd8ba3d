/*
 * scnetflow: per-sample QC -> graphs -> scNET training, then downstream analyses, a report and MultiQC.
 */

include { CHECK_SAMPLESHEET } from '../modules/local/check_samplesheet/main'
include { QC                } from '../modules/local/qc/main'
include { GRAPHS            } from '../modules/local/graphs/main'
include { TRAIN             } from '../modules/local/train/main'
include { CLUSTER_EVAL      } from '../modules/local/cluster_eval/main'
include { COEMBED           } from '../modules/local/coembed/main'
include { EVALUATE_NETWORK  } from '../modules/local/evaluate_network/main'
include { PROPAGATE         } from '../modules/local/propagate/main'
include { DIFFNET           } from '../modules/local/diffnet/main'
include { GSEA              } from '../modules/local/gsea/main'
include { GSEA as GSEA_CONTRAST } from '../modules/local/gsea/main'
include { REPORT            } from '../modules/local/report/main'
include { MULTIQC           } from '../modules/local/multiqc/main'

/*
 * Output files as [sample, step, kind, file] for the report's manifest (kind: a key of
 * scnetflow.report.KINDS, what the report reads the file as).
 */
def asManifest(ch, String step, String kind) {
    return ch.map { meta, f -> [meta.id, step, kind, f] }
}

workflow SCNETFLOW {

    take:
    samplesheet     // path: samplesheet CSV
    contrasts       // path or []: contrasts CSV
    ppi             // path or []: PPI table
    gmt             // path or []: gene sets for GSEA and pathway reconstruction
    disease_gmt     // path or []: disease gene lists for the network z-scores
    multiqc_config  // path or []: MultiQC config

    main:
    ch_results  = Channel.empty()   // [sample, step, kind, file] for the report

    //
    // Validate the samplesheet (Python); every other task depends on its output.
    //
    CHECK_SAMPLESHEET(samplesheet, contrasts)

    ch_samples = CHECK_SAMPLESHEET.out.csv
        .splitCsv(header: true)
        .map { row ->
            def meta = [id: row.sample, condition: row.condition, species: row.species, label_key: row.label_key]
            [meta, file(row.input, checkIfExists: true)]
        }

    //
    // Per sample, in parallel: QC -> graphs -> train.
    //
    QC(ch_samples)
    GRAPHS(QC.out.h5ad, ppi)
    TRAIN(GRAPHS.out.h5ad)
    ch_results = ch_results.mix(
        asManifest(QC.out.json, 'qc', 'qc_json'),
        asManifest(QC.out.h5ad, 'qc', 'qc_h5ad'),                    // the report's label-free verdict reads held-out genes
        asManifest(GRAPHS.out.json, 'graphs', 'graphs_json'),
        asManifest(TRAIN.out.h5ad, 'train', 'scnet_h5ad'),
        asManifest(TRAIN.out.reconstructed, 'train', 'reconstructed_h5ad'),     // the report's reconstruction verdict
        asManifest(TRAIN.out.history, 'train', 'history'),
        asManifest(TRAIN.out.json, 'train', 'train_json'),
    )

    //
    // Downstream analyses.
    //
    // scNET's clusters of each sample (cluster-eval's clusters.tsv), or [] without cluster-eval: the cell
    // groups of GSEA and the report for an unlabelled sample.
    ch_clusters = TRAIN.out.h5ad.map { meta, _h5ad -> [meta, []] }
    if (!params.skip_cluster_eval) {
        CLUSTER_EVAL(TRAIN.out.h5ad)
        ch_clusters = CLUSTER_EVAL.out.clusters
        ch_results = ch_results.mix(
            asManifest(CLUSTER_EVAL.out.tsv, 'cluster-eval', 'cluster_eval'),
            asManifest(CLUSTER_EVAL.out.json, 'cluster-eval', 'cluster_eval_json'),
            asManifest(CLUSTER_EVAL.out.clusters, 'cluster-eval', 'clusters'),
        )
    }

    if (!params.skip_coembed) {
        COEMBED(TRAIN.out.gene_embeddings.join(TRAIN.out.h5ad, failOnMismatch: true))
        ch_results = ch_results.mix(asManifest(COEMBED.out.modularity, 'coembed', 'modularity'))

        if (!params.skip_evaluate_network) {
            EVALUATE_NETWORK(COEMBED.out.edges.join(COEMBED.out.coexpr_edges, failOnMismatch: true), ppi, gmt, disease_gmt)
            ch_results = ch_results.mix(
                asManifest(EVALUATE_NETWORK.out.pathway_auc, 'evaluate-network', 'pathway_auc'),
                asManifest(EVALUATE_NETWORK.out.disease_zscores, 'evaluate-network', 'disease_zscores'),
                asManifest(EVALUATE_NETWORK.out.json, 'evaluate-network', 'network_eval'),
            )
        }

        if (!params.skip_propagate && params.seed_genes) {
            PROPAGATE(COEMBED.out.edges)
            ch_results = ch_results.mix(asManifest(PROPAGATE.out.tsv, 'propagate', 'propagation'))
        }
    }

    //
    // Pairs of samples to compare: every sample of condition A with every sample of condition B, per
    // contrast (--contrast_a/--contrast_b or --contrasts).
    //
    ch_trained = TRAIN.out.gene_embeddings
        .join(TRAIN.out.h5ad, failOnMismatch: true)
        .join(TRAIN.out.reconstructed, failOnMismatch: true)
        .map { meta, emb, h5ad, recon -> [meta.condition, meta, emb, h5ad, recon] }
    ch_pairs = CHECK_SAMPLESHEET.out.contrasts
        .splitCsv(header: true)
        .map { row -> [row.condition_a, row.condition_b, row.contrast] }
        .combine(ch_trained)
        .filter { cond_a, _cond_b, _contrast, cond, _meta, _emb, _h5ad, _recon -> cond == cond_a }
        .map { _cond_a, cond_b, contrast, _cond, meta, emb, h5ad, recon -> [cond_b, contrast, [meta, emb, h5ad, recon]] }
        .combine(ch_trained)
        .filter { cond_b, _contrast, _a, cond, _meta, _emb, _h5ad, _recon -> cond == cond_b }
        .map { _cond_b, contrast, a, _cond, meta_b, emb_b, h5ad_b, recon_b ->
            def meta_a = a[0]
            def meta = [
                id: "${meta_a.id}_vs_${meta_b.id}".toString(), contrast: contrast,
                sample_a: meta_a.id, sample_b: meta_b.id,
                condition_a: meta_a.condition, condition_b: meta_b.condition,
                label_key: meta_a.label_key,
            ]
            [meta, a[1], a[2], a[3], emb_b, h5ad_b, recon_b]
        }

    if (!params.skip_diffnet && params.seed_genes) {
        DIFFNET(ch_pairs.map { meta, emb_a, _h5ad_a, _recon_a, emb_b, _h5ad_b, _recon_b -> [meta, emb_a, emb_b] })
        ch_results = ch_results.mix(asManifest(DIFFNET.out.edges, 'diffnet', 'diffnet_edges'), asManifest(DIFFNET.out.genes, 'diffnet', 'diffnet_genes'))
    }

    if (!params.skip_gsea) {
        // Each cell type against the rest, per sample; and condition B against A within cell types, per pair.
        GSEA(
            TRAIN.out.h5ad.join(TRAIN.out.reconstructed, failOnMismatch: true).join(ch_clusters, failOnMismatch: true)
                .map { meta, h5ad, recon, clusters -> [meta, h5ad, recon, [], [], clusters] },
            gmt,
        )
        // Two samples' cluster numbers name unrelated groups: a contrast uses the label column only.
        GSEA_CONTRAST(ch_pairs.map { meta, _emb_a, h5ad_a, recon_a, _emb_b, h5ad_b, recon_b -> [meta, h5ad_a, recon_a, h5ad_b, recon_b, []] }, gmt)
        ch_results = ch_results.mix(
            asManifest(GSEA.out.celltype, 'gsea', 'gsea_celltype'),
            asManifest(GSEA_CONTRAST.out.celltype, 'gsea', 'gsea_celltype'),
            asManifest(GSEA_CONTRAST.out.conditions, 'gsea', 'gsea_conditions'),
        )
    }

    //
    // Software versions, collected once; then the report and MultiQC.
    //
    // Every task's tools arrive on the `versions` topic as [process, tool, version] (each module's eval
    // outputs); they become one versions.yml (process -> tool -> version), sorted so that -resume reuses
    // the report. The report and MultiQC read this file, so they cannot add to the topic themselves.
    ch_versions_yml = channel.topic('versions')
        .map { process, tool, version -> [process.tokenize(':')[-1], tool, version.toString().trim()] }
        .unique()
        .toSortedList { a, b -> a.join('\t') <=> b.join('\t') }
        .map { rows ->
            rows.groupBy { row -> row[0] }
                .collect { process, tools -> "${process}:\n" + tools.collect { row -> "    ${row[1]}: \"${row[2]}\"" }.join('\n') }
                .join('\n') + '\n'
        }
        .collectFile(name: 'scnetflow_software_mqc_versions.yml', storeDir: "${params.outdir}/pipeline_info")

    ch_report = Channel.empty()
    ch_mqc_extra = ch_versions_yml
    if (!params.skip_report) {
        // Sorted so that the task hash, and so -resume, does not depend on completion order.
        ch_report_in = ch_results
            .toSortedList { a, b -> "${a[0]}/${a[1]}/${a[3].name}" <=> "${b[0]}/${b[1]}/${b[3].name}" }
            .filter { rows -> rows.size() > 0 }   // nothing to report after a failed samplesheet check
            .map { rows -> [[id: 'report'], rows.collect { row -> row[3] },
                            rows.collect { row -> "${row[0]}\t${row[1]}\t${row[2]}\tinputs/${row[3].name}".toString() }] }
        REPORT(ch_report_in, ch_versions_yml)
        ch_report = REPORT.out.html
        // The report collates versions and per-sample statistics for MultiQC.
        ch_mqc_extra = REPORT.out.general_stats.mix(REPORT.out.software_versions)
    }

    ch_multiqc_report = Channel.empty()
    if (!params.skip_multiqc) {
        ch_multiqc_in = ch_mqc_extra
            .toSortedList { a, b -> a.name <=> b.name }
            .filter { files -> files.size() > 0 }
            .map { files -> [[id: 'multiqc'], files] }
        MULTIQC(ch_multiqc_in, multiqc_config)
        ch_multiqc_report = MULTIQC.out.report
    }

    emit:
    samples        = CHECK_SAMPLESHEET.out.csv
    scnet          = TRAIN.out.h5ad
    report         = ch_report
    multiqc_report = ch_multiqc_report
    versions       = ch_versions_yml
}
